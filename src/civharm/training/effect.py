"""Does the training work: harm attributed to the national forces in trained units' areas of
operations (cercles), before and after their first attended session, against the other cercles
of the same regions — a difference in differences (did.py) with its interval and caveats.

For a period (whole calendar years), every partner's report and the all-partners report are
computed together and their totals protected by ONE disclosure-controlled release, so that
comparing reports of the same period reveals nothing the release did not check. What leaves is
the estimate and those totals; never a single cercle's count, an incident or a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Min, QuerySet

from civharm.analysis.dashboard import DashboardFilter, filter_sql
from civharm.analysis.snapshot import register_snapshot
from civharm.core.gazetteer import Gazetteer
from civharm.core.i18n import N_
from civharm.disclosure import TableSpec, protect_counts
from civharm.training.did import CAVEATS, DidEstimate, Exposure, difference_in_differences
from civharm.training.models import Session, TrainingPartner, Unit

TRAINED, COMPARISON = "trained", "comparison"
BEFORE, AFTER = "before", "after"
ALL_PARTNERS = "all"
DEFAULT_WINDOW_MONTHS = 12
HARM_CATEGORY = "state_forces"
# A group's totals are published only over at least this many cercles: over one, the total
# is that cercle's count.
MIN_AREAS_PER_GROUP = 2
TABLES = (TableSpec("partner_group_period", ("partner", "group", "period")),)
WITHHELD_ESTIMATE = N_(
    "Too few incidents in a group and period to publish an estimate: the figures it rests on "
    "would have to be withheld."
)
SINGLE_AREA_WITHHELD = N_(
    "A group has a single cercle: its totals would be that cercle's count, so they and the "
    "estimate are withheld."
)
NOT_OBSERVED = N_("No trained unit's area has been observed after its training yet.")
FIRST_SESSION_CAVEAT = N_(
    "Each area is compared before and after the first session of the selection; a unit "
    "trained earlier by another partner, or a cercle shared by several units, blurs the "
    "comparison. Cercles trained outside the selection are left out of both groups."
)
ATTENDED_CAVEAT = N_(
    "Only sessions with at least one participant recorded as attended count as training; how "
    "many of a unit's members attended is not taken into account."
)
REGISTER_START_CAVEAT = N_(
    "Some months before training fall before the register's first incident: those months "
    "are left out, so the comparison rests on fewer months before training."
)


@dataclass(frozen=True)
class AreaCounts:
    """One cercle's incidents (attributed to the national forces) in its two windows. Stays
    inside: a cercle's count is never published."""

    cercle: str
    group: str
    reference: date  # first day of the month of the (first) session
    before: int
    after: int
    before_months: int
    after_months: int


@dataclass(frozen=True)
class EffectReport:
    """What the "does it work" page may show. `totals` are the incidents of each (group,
    period), None where withheld; `estimate` is None (with `reason`) when it cannot be
    computed or would rest on withheld figures."""

    key: str  # the partner's id as text, or ALL_PARTNERS
    partner: str | None
    year_from: int | None
    year_to: int | None
    window_months: int
    units: int  # trained units with an area of operations
    units_without_area: int
    trained_areas: int
    comparison_areas: int
    totals: dict[tuple[str, str], int | None]
    threshold: int
    estimate: DidEstimate | None
    reason: str | None
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class _Selection:
    """The sessions of one report: one partner's, or all partners' (key ALL_PARTNERS)."""

    key: str
    partner: str | None
    units: int
    units_without_area: int
    areas: list[AreaCounts]


@dataclass(frozen=True)
class _Window:
    months: int
    first_observed: int  # month index of the register's first incident
    last_observed: int  # month index of the last complete month


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def attended_sessions(year_from: int | None, year_to: int | None) -> QuerySet[Session]:
    """Sessions held in the years (both included) with at least one participant who
    attended: a session nobody attended trained nobody."""
    sessions = Session.objects.filter(attendances__attended=True)
    if year_from is not None:
        sessions = sessions.filter(held_on__year__gte=year_from)
    if year_to is not None:
        sessions = sessions.filter(held_on__year__lte=year_to)
    return sessions.distinct()


def _first_sessions(sessions: QuerySet[Session]) -> dict[int, date]:
    firsts = sessions.order_by().values("unit").annotate(first=Min("held_on"))
    return {row["unit"]: row["first"] for row in firsts}


def _trained_references(first: dict[int, date]) -> tuple[dict[str, date], int]:
    """The earliest first session of any selected unit operating in each cercle."""
    references: dict[str, date] = {}
    without_area = 0
    for unit in Unit.objects.filter(pk__in=first):
        cercles = [str(code) for code in unit.area_admin2_pcodes or [] if code]
        without_area += not cercles
        for cercle in cercles:
            day = first[unit.pk].replace(day=1)
            references[cercle] = min(references.get(cercle, day), day)
    return references, without_area


def _cercles_with_sessions() -> set[str]:
    """Cercles of units with any session, attended or not: never comparison areas (a unit
    whose attendance is not recorded yet may well have been trained)."""
    return {
        str(code)
        for area in Unit.objects.filter(sessions__isnull=False).values_list(
            "area_admin2_pcodes", flat=True
        )
        for code in area or []
    }


def _comparison_references(trained: dict[str, date], excluded: set[str]) -> dict[str, date]:
    """Cercles of the same regions outside `excluded`, each with the earliest reference of
    its region's trained cercles."""
    region_of = {pcode: region for pcode, _name, region in Gazetteer.load().admin2_units()}
    region_reference: dict[str, date] = {}
    for cercle, day in trained.items():
        region = region_of.get(cercle)
        if region:
            region_reference[region] = min(region_reference.get(region, day), day)
    return {
        cercle: region_reference[region]
        for cercle, region in region_of.items()
        if region in region_reference and cercle not in excluded
    }


def _monthly_counts(cercles: set[str]) -> dict[tuple[str, int], int]:
    """Incidents attributed to the national forces per (cercle, month index), discounted
    ones left out."""
    where, params = filter_sql(DashboardFilter(actor_category=HARM_CATEGORY))
    sql = (
        "SELECT i.admin2_pcode, i.month, count(*) FROM incidents i "  # noqa: S608 - fixed text
        f"WHERE {where} AND i.month IS NOT NULL GROUP BY 1, 2"
    )
    rows = register_snapshot().connection.execute(sql, params).fetchall()
    return {
        (cercle, _month_index(month)): int(count)
        for cercle, month, count in rows
        if cercle in cercles
    }


def _register_start() -> int | None:
    """Month index of the register's first incident (any actor; discounted ones left out)."""
    where, params = filter_sql(DashboardFilter())
    sql = f"SELECT min(i.month) FROM incidents i WHERE {where}"  # noqa: S608 - fixed text
    row = register_snapshot().connection.execute(sql, params).fetchone()
    return _month_index(row[0]) if row and row[0] is not None else None


def _area_counts(
    references: dict[str, date], group: str, counts: dict[tuple[str, int], int], window: _Window
) -> list[AreaCounts]:
    """Before: the window's months before the session's month, cut at the register's first
    incident; after: the same number after it, up to the last complete month. The session's
    own month is in neither; an area with no month on either side is left out."""
    areas = []
    for cercle, reference in sorted(references.items()):
        start = _month_index(reference)
        before = range(max(start - window.months, window.first_observed), start)
        after = range(start + 1, min(start + window.months, window.last_observed) + 1)
        before_count = sum(counts.get((cercle, m), 0) for m in before)
        after_count = sum(counts.get((cercle, m), 0) for m in after)
        areas.append(
            AreaCounts(cercle, group, reference, before_count, after_count, len(before), len(after))
        )
    return [area for area in areas if area.after_months > 0 and area.before_months > 0]


def _selection(
    key: str, partner: str | None, sessions: QuerySet[Session], context: dict[str, Any]
) -> _Selection:
    first = _first_sessions(sessions)
    trained, without_area = _trained_references(first)
    comparison = _comparison_references(trained, context["excluded"])
    counts, window = context["counts"], context["window"]
    areas = _area_counts(trained, TRAINED, counts, window)
    areas += _area_counts(comparison, COMPARISON, counts, window)
    return _Selection(key, partner, len(first) - without_area, without_area, areas)


def _group_sizes(selection: _Selection) -> dict[str, int]:
    return {
        group: sum(1 for area in selection.areas if area.group == group)
        for group in (TRAINED, COMPARISON)
    }


def _protected_totals(
    selections: Sequence[_Selection], threshold: int
) -> dict[tuple[str, str, str], int | None]:
    """Every report's (group, period) totals in ONE release (dimension partner, with "all"):
    two reports of the same period cannot be differenced around it. A group of a single
    cercle stays out of the release and is withheld."""
    records: list[dict[str, object]] = []
    single: set[tuple[str, str]] = set()
    for selection in selections:
        sizes = _group_sizes(selection)
        single |= {(selection.key, g) for g, n in sizes.items() if n == 1}
        records += [
            {"partner": selection.key, "group": area.group, "period": period, "value": value}
            for area in selection.areas
            if sizes[area.group] >= MIN_AREAS_PER_GROUP
            for period, value in ((BEFORE, area.before), (AFTER, area.after))
        ]
    release = protect_counts(records, TABLES, measure="value", threshold=threshold)
    table = release.table("partner_group_period")
    totals = {
        (selection.key, group, period): (
            None if (selection.key, group) in single else table.value(selection.key, group, period)
        )
        for selection in selections
        for group in (TRAINED, COMPARISON)
        for period in (BEFORE, AFTER)
    }
    return totals


def _estimate(areas: list[AreaCounts]) -> DidEstimate:
    trained = [a for a in areas if a.group == TRAINED]
    control = [a for a in areas if a.group == COMPARISON]
    return difference_in_differences(
        [a.before for a in trained], [a.after for a in trained],
        [a.before for a in control], [a.after for a in control],
        exposure=Exposure(
            [a.before_months for a in trained], [a.after_months for a in trained],
            [a.before_months for a in control], [a.after_months for a in control],
        ),
    )  # fmt: skip


def _report(
    selection: _Selection,
    totals: dict[tuple[str, str], int | None],
    options: dict[str, Any],
) -> EffectReport:
    sizes = _group_sizes(selection)
    estimate, reason = None, None
    if not sizes[TRAINED]:
        reason = NOT_OBSERVED
    elif 1 in sizes.values():
        reason = SINGLE_AREA_WITHHELD
    elif any(value is None for value in totals.values()):
        reason = WITHHELD_ESTIMATE
    else:
        estimate = _estimate(selection.areas)
        reason = estimate.reason
    window: _Window = options["window"]
    cut = any(area.before_months < window.months for area in selection.areas)
    caveats = (estimate.caveats if estimate else CAVEATS) + (FIRST_SESSION_CAVEAT, ATTENDED_CAVEAT)
    return EffectReport(
        key=selection.key,
        partner=selection.partner,
        year_from=options["year_from"],
        year_to=options["year_to"],
        window_months=window.months,
        units=selection.units,
        units_without_area=selection.units_without_area,
        trained_areas=sizes[TRAINED],
        comparison_areas=sizes[COMPARISON],
        totals=totals,
        threshold=options["threshold"],
        estimate=estimate,
        reason=reason,
        caveats=caveats + ((REGISTER_START_CAVEAT,) if cut else ()),
    )


def _window(window_months: int | None, today: date | None) -> _Window:
    months = window_months or int(
        settings.CIVHARM.get("TRAINING_EFFECT_WINDOW_MONTHS", DEFAULT_WINDOW_MONTHS)
    )
    last_observed = _month_index(today or date.today()) - 1  # the last complete month
    first = _register_start()
    return _Window(months, last_observed + 1 if first is None else first, last_observed)


def effect_by_partner(
    year_from: int | None = None,
    year_to: int | None = None,
    *,
    window_months: int | None = None,
    today: date | None = None,
    also: TrainingPartner | None = None,
) -> list[EffectReport]:
    """One report per partner with an attended session in the years (both included; None:
    no bound), then all partners together (sessions without a partner included), all from
    one release. `also`: a partner to report on even without such a session."""
    sessions = attended_sessions(year_from, year_to)
    partners = list(TrainingPartner.objects.filter(pk__in=sessions.values("partner")))
    if also is not None and also not in partners:
        partners.append(also)
    partners.sort(key=lambda partner: partner.name)
    context: dict[str, Any] = {"excluded": _cercles_with_sessions(), "counts": {}}
    context["window"] = window = _window(window_months, today)
    trained_all, _ = _trained_references(_first_sessions(sessions))
    wanted = set(trained_all) | set(_comparison_references(trained_all, context["excluded"]))
    context["counts"] = _monthly_counts(wanted)
    selections = [
        _selection(str(p.pk), p.name, sessions.filter(partner=p), context) for p in partners
    ]
    selections.append(_selection(ALL_PARTNERS, None, sessions, context))
    threshold = int(settings.CIVHARM["SMALL_CELL_THRESHOLD"])
    totals = _protected_totals(selections, threshold)
    options = {"window": window, "threshold": threshold, "year_from": year_from,
               "year_to": year_to}  # fmt: skip
    return [_report(s, _totals_of(totals, s.key), options) for s in selections]


def _totals_of(
    totals: dict[tuple[str, str, str], int | None], key: str
) -> dict[tuple[str, str], int | None]:
    return {(group, period): value for (k, group, period), value in totals.items() if k == key}


def training_effect(
    partner: TrainingPartner | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    **options: Any,
) -> EffectReport:
    """The report of `partner` (all partners: None) for the years, taken from the release of
    every report of those years (see effect_by_partner)."""
    reports = effect_by_partner(year_from, year_to, also=partner, **options)
    if partner is None:
        return reports[-1]
    return next(r for r in reports[:-1] if r.key == str(partner.pk))
