"""Does the training work: harm attributed to the national forces in trained units' areas of
operations (cercles), before and after their first session, against the other cercles of the
same regions — a difference in differences (did.py) with its interval and caveats.

What leaves through the report is the estimate and four totals protected by ONE
disclosure-controlled release; never a cercle's count, an incident or a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Min

from civharm.analysis.dashboard import DashboardFilter, filter_sql
from civharm.analysis.snapshot import register_snapshot
from civharm.core.gazetteer import Gazetteer
from civharm.core.i18n import N_
from civharm.disclosure import TableSpec, protect_counts
from civharm.training.did import CAVEATS, DidEstimate, Exposure, difference_in_differences
from civharm.training.models import Session, TrainingPartner, Unit

TRAINED, COMPARISON = "trained", "comparison"
BEFORE, AFTER = "before", "after"
DEFAULT_WINDOW_MONTHS = 12
HARM_CATEGORY = "state_forces"
TABLES = (TableSpec("group_period", ("group", "period")), TableSpec("total", ()))
WITHHELD_ESTIMATE = N_(
    "Too few incidents in a group and period to publish an estimate: the figures it rests on "
    "would have to be withheld."
)
NOT_OBSERVED = N_("No trained unit's area has been observed after its training yet.")
FIRST_SESSION_CAVEAT = N_(
    "Each area is compared before and after the first session of the selection; a unit "
    "trained earlier by another partner, or a cercle shared by several units, blurs the "
    "comparison. Cercles trained outside the selection are left out of both groups."
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

    partner: str | None
    period_from: date | None
    period_to: date | None
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


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _first_sessions(
    partner: TrainingPartner | None, period_from: date | None, period_to: date | None
) -> dict[int, date]:
    sessions = Session.objects.all()
    if partner is not None:
        sessions = sessions.filter(partner=partner)
    if period_from is not None:
        sessions = sessions.filter(held_on__gte=period_from)
    if period_to is not None:
        sessions = sessions.filter(held_on__lte=period_to)
    firsts = sessions.values("unit").annotate(first=Min("held_on"))
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


def _comparison_references(trained: dict[str, date]) -> dict[str, date]:
    """Cercles of the same regions that no unit with any session operates in, each with the
    earliest reference of its region's trained cercles."""
    anywhere = {
        str(code)
        for area in Unit.objects.filter(sessions__isnull=False).values_list(
            "area_admin2_pcodes", flat=True
        )
        for code in area or []
    }
    region_of = {pcode: region for pcode, _name, region in Gazetteer.load().admin2_units()}
    region_reference: dict[str, date] = {}
    for cercle, day in trained.items():
        region = region_of.get(cercle)
        if region:
            region_reference[region] = min(region_reference.get(region, day), day)
    return {
        cercle: region_reference[region]
        for cercle, region in region_of.items()
        if region in region_reference and cercle not in anywhere
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


def _area_counts(
    references: dict[str, date], group: str, counts: dict[tuple[str, int], int], window: int,
    last_observed: int,
) -> list[AreaCounts]:  # fmt: skip
    """Before: the `window` months before the session's month; after: the `window` months
    after it, up to the last complete month. The session's own month is in neither."""
    areas = []
    for cercle, reference in sorted(references.items()):
        start = _month_index(reference)
        before = range(start - window, start)
        after = range(start + 1, min(start + window, last_observed) + 1)
        before_count = sum(counts.get((cercle, m), 0) for m in before)
        after_count = sum(counts.get((cercle, m), 0) for m in after)
        areas.append(
            AreaCounts(cercle, group, reference, before_count, after_count, len(before), len(after))
        )
    return [area for area in areas if area.after_months > 0]


def _protected_totals(areas: list[AreaCounts], threshold: int) -> tuple[dict[Any, Any], int]:
    records = [
        {"group": area.group, "period": period, "value": value}
        for area in areas
        for period, value in ((BEFORE, area.before), (AFTER, area.after))
    ]
    release = protect_counts(records, TABLES, measure="value", threshold=threshold)
    table = release.table("group_period")
    totals = {
        (group, period): table.value(group, period)
        for group in (TRAINED, COMPARISON)
        for period in (BEFORE, AFTER)
    }
    return totals, release.suppressed_count


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


def training_effect(
    partner: TrainingPartner | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    *,
    window_months: int | None = None,
    today: date | None = None,
) -> EffectReport:
    """The effect of the sessions held by `partner` (any partner: None) between the dates."""
    window = window_months or int(
        settings.CIVHARM.get("TRAINING_EFFECT_WINDOW_MONTHS", DEFAULT_WINDOW_MONTHS)
    )
    threshold = int(settings.CIVHARM["SMALL_CELL_THRESHOLD"])
    first = _first_sessions(partner, period_from, period_to)
    trained, without_area = _trained_references(first)
    comparison = _comparison_references(trained)
    counts = _monthly_counts(set(trained) | set(comparison))
    last_observed = _month_index(today or date.today()) - 1  # the last complete month
    areas = _area_counts(trained, TRAINED, counts, window, last_observed)
    areas += _area_counts(comparison, COMPARISON, counts, window, last_observed)
    totals, withheld = _protected_totals(areas, threshold)
    n_trained = sum(1 for a in areas if a.group == TRAINED)
    estimate, reason = None, None
    if not n_trained:
        reason = NOT_OBSERVED
    elif withheld:
        reason = WITHHELD_ESTIMATE
    else:
        estimate = _estimate(areas)
        reason = estimate.reason
    return EffectReport(
        partner=partner.name if partner is not None else None,
        period_from=period_from,
        period_to=period_to,
        window_months=window,
        units=len(first) - without_area,
        units_without_area=without_area,
        trained_areas=n_trained,
        comparison_areas=len(areas) - n_trained,
        totals=totals,
        threshold=threshold,
        estimate=estimate,
        reason=reason,
        caveats=(estimate.caveats if estimate else CAVEATS) + (FIRST_SESSION_CAVEAT,),
    )


def effect_by_partner(
    period_from: date | None = None, period_to: date | None = None, **options: Any
) -> list[EffectReport]:
    """One report per partner that held a session in the period, then all partners together."""
    partners = TrainingPartner.objects.filter(sessions__isnull=False).distinct().order_by("name")
    reports = [training_effect(p, period_from, period_to, **options) for p in partners]
    return [*reports, training_effect(None, period_from, period_to, **options)]
