"""What a brief counts, read from the register: the region's incidents of the period and of
the previous period of equal length, the reports behind them, and the stored estimate.

Counted as the dashboard counts: live incidents only (not merged into another), discounted
ones left out, dated by their start, people by their best count (low and high beside it).
Returns plain data for brief_figures; never a name, an incident code or a place below the
cercle leaves this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from civharm.advocacy.brief_figures import CURRENT, PEOPLE_HARMS, PREVIOUS, BriefPeriod
from civharm.analysis.figures import figure
from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.core.text import fold
from civharm.incidents.models import HarmCount, Incident, IncidentPerpetrator, Report

DISCOUNTED = "discounted"


def counted_incidents(period: BriefPeriod) -> QuerySet[Incident]:
    """The region's live, not discounted incidents of both periods."""
    return (
        Incident.objects.filter(
            merged_into__isnull=True,
            admin1_pcode=period.region_pcode,
            date_start__gte=period.previous_from,
            date_start__lte=period.date_to,
        )
        .exclude(assessment_grade=DISCOUNTED)
        .order_by()
    )


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_months(date_from: date, date_to: date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def incident_rows(period: BriefPeriod) -> list[dict[str, Any]]:
    """One plain dict per counted incident: period, month, cercle, context, actors, harm."""
    incidents = counted_incidents(period)
    ids = incidents.values("id")
    actors: dict[int, list[str]] = defaultdict(list)
    for incident_id, key in (
        IncidentPerpetrator.objects.filter(incident_id__in=ids)
        .order_by()
        .values_list("incident_id", "actor__key")
    ):
        actors[incident_id].append(key)
    harm: dict[int, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for incident_id, harm_type, low, best, high in (
        HarmCount.objects.filter(incident_id__in=ids, harm_type__in=PEOPLE_HARMS)
        .order_by()
        .values_list("incident_id", "harm_type", "low", "best", "high")
    ):
        harm[incident_id][harm_type] = _low_best_high(low, best, high)
    fields = ("id", "date_start", "admin2_pcode", "interaction_context")
    return [
        {
            "period": CURRENT if day >= period.date_from else PREVIOUS,
            "month": month_key(day),
            "cercle": cercle,
            "context": context,
            "actors": sorted(set(actors.get(pk, ()))),
            "harm": harm.get(pk, {}),
        }
        for pk, day, cercle, context in incidents.values_list(*fields).iterator(chunk_size=5000)
    ]


def _low_best_high(low: int | None, best: int | None, high: int | None) -> tuple[int, int, int]:
    """A missing count is nothing, as the dashboard sums them (analysis.dashboard)."""
    return low or 0, best or 0, high or 0


def report_counts(period: BriefPeriod) -> Counter[str]:
    """Reports linked to the current period's counted incidents, by their source's type."""
    current = counted_incidents(period).filter(date_start__gte=period.date_from)
    rows = (
        Report.objects.filter(incident__in=current.values("id"))
        .order_by()
        .values("source__source_type")
        .annotate(n=Count("id"))
    )
    return Counter({row["source__source_type"]: row["n"] for row in rows})


def source_names(period: BriefPeriod, source_types: set[str]) -> list[str]:
    """Names of the sources of these types (public datasets) behind the current incidents."""
    current = counted_incidents(period).filter(date_start__gte=period.date_from)
    return sorted(
        Report.objects.filter(
            incident__in=current.values("id"), source__source_type__in=source_types
        )
        .order_by()
        .values_list("source__name", flat=True)
        .distinct()
    )


def region_estimate(period: BriefPeriod) -> dict[str, Any] | None:
    """The region's figures in the latest complete run stratified by region alone (all years),
    rounded as stored figures are everywhere (analysis.figures): the log-linear estimate, or
    the latent-class one where that alone has an interval. None if there is none."""
    runs = EstimateRun.objects.filter(status="complete").only("id", "by", "lists", "finished_at")
    run = next((r for r in runs.iterator() if r.by == ["region"]), None)
    if run is None:
        return None
    wanted = fold(period.region_name)
    rows = [row for row in run.estimates.filter(is_total=False) if _matches(row, wanted)]
    rows.sort(key=lambda row: (row.total is None, METHOD_PREFERENCE.index(row.method)))
    if not rows:
        return None
    return figure(rows[0]) | {"run_id": run.pk, "finished_at": run.finished_at, "lists": run.lists}


METHOD_PREFERENCE = ("loglinear", "lcm")


def _matches(row: StratumEstimate, wanted: str) -> bool:
    return bool(row.key) and fold(str(row.key[0])) == wanted and row.method in METHOD_PREFERENCE
