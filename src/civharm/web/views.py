"""Pages. Each view states the capability it needs; the role walk test checks them all."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civharm.accounts.permissions import capability_required
from civharm.analysis.published import INCIDENTS, partner_release, published_value, table_name
from civharm.core.gazetteer import Gazetteer
from civharm.disclosure import SUPPRESSED_MARK, SUPPRESSION_NOTE
from civharm.incidents.models import HarmCount, Incident, Report

DISCOUNTED = "discounted"


@capability_required("view_aggregates")
def home(request: HttpRequest) -> HttpResponse:
    """Overview: totals by region — aggregates only, so every role may see it. Counts live
    incidents (not merged into another) that are not discounted, as the dashboard does.
    Readers without exact figures (partners) get cells of the one published release."""
    if not request.user.can("view_uncontrolled_aggregates"):
        return render(request, "web/home.html", _published_overview())
    return render(request, "web/home.html", _exact_overview())


def counted_incidents() -> Any:
    """The dashboard's population: live (not merged) and not discounted."""
    return Incident.objects.filter(merged_into__isnull=True).exclude(assessment_grade=DISCOUNTED)


def _exact_overview() -> dict[str, Any]:
    incidents = counted_incidents()
    by_region = list(
        incidents.values("admin1_pcode", "admin1_name")
        .annotate(incidents=Count("id"))
        .order_by("-incidents", "admin1_name")
    )
    killed = HarmCount.objects.filter(harm_type="killed", incident__in=incidents).aggregate(
        best=Sum("best")
    )["best"]
    return {
        "by_region": by_region,
        "incidents": sum(row["incidents"] for row in by_region),
        "reports": Report.objects.count(),
        "killed_best": killed or 0,
    }


def _published_overview() -> dict[str, Any]:
    """The totals and the regions, read from the partner release (no release of its own:
    two releases of the same incidents could undo each other). Rows are ordered by name,
    not by their (possibly withheld) counts; no report count (it is not in the release)."""
    release = partner_release()
    names = dict(Gazetteer.load().admin1_units())
    by_region = [
        {
            "admin1_pcode": cell.key[1],
            "admin1_name": names.get(cell.key[1], cell.key[1]),
            "incidents": _shown(cell.value),
        }
        for cell in release.table(table_name("region")).cells
        if cell.key[0] == INCIDENTS
    ]
    by_region.sort(key=lambda row: (not row["admin1_pcode"], row["admin1_name"]))
    return {
        "by_region": by_region,
        "incidents": _shown(published_value(release, INCIDENTS)),
        "reports": None,
        "killed_best": _shown(published_value(release, "killed")),
        "disclosure_note": _(SUPPRESSION_NOTE).format(threshold=release.threshold),
    }


def _shown(value: int | None) -> int | str:
    return SUPPRESSED_MARK if value is None else value
