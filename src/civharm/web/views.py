"""Pages. Each view states the capability it needs; the role walk test checks them all."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civharm.accounts.permissions import capability_required
from civharm.disclosure import SUPPRESSED_MARK, SUPPRESSION_NOTE, TableSpec, protect_counts
from civharm.incidents.models import HarmCount, Incident, Report


@capability_required("view_aggregates")
def home(request: HttpRequest) -> HttpResponse:
    """Overview: totals by region — aggregates only, so every role may see it. Readers without
    exact figures (partners) get one disclosure-controlled release (see _protected_overview)."""
    by_region = list(
        Incident.objects.values("admin1_pcode", "admin1_name")
        .annotate(incidents=Count("id"))
        .order_by("-incidents", "admin1_name")
    )
    killed = HarmCount.objects.filter(harm_type="killed").aggregate(best=Sum("best"))["best"]
    context = {
        "by_region": by_region,
        "incidents": sum(row["incidents"] for row in by_region),
        "reports": Report.objects.count(),
        "killed_best": killed or 0,
    }
    if not request.user.can("view_uncontrolled_aggregates"):
        context = _protected_overview(context)
    return render(request, "web/home.html", context)


def _protected_overview(exact: dict[str, Any]) -> dict[str, Any]:
    """The regions and their total form one release (secondary suppression keeps a withheld
    region from being worked out from the total); the two other totals are tables of their own.
    Rows are ordered by name, not by their (possibly withheld) counts."""
    threshold = int(settings.CIVHARM["SMALL_CELL_THRESHOLD"])
    regions = [
        {"region": row["admin1_pcode"] or "", "n": row["incidents"]} for row in exact["by_region"]
    ]
    specs = (TableSpec("by_region", ("region",)), TableSpec("total", ()))
    release = protect_counts(regions, specs, measure="n", threshold=threshold)
    by_region = [
        {**row, "incidents": _shown(release.table("by_region").value(row["admin1_pcode"] or ""))}
        for row in sorted(exact["by_region"], key=lambda row: row["admin1_name"] or "")
    ]
    return {
        "by_region": by_region,
        "incidents": _shown(release.table("total").value()),
        "reports": _shown(_protected_total(exact["reports"], threshold)),
        "killed_best": _shown(_protected_total(exact["killed_best"], threshold)),
        "disclosure_note": _(SUPPRESSION_NOTE).format(threshold=threshold),
    }


def _protected_total(value: int, threshold: int) -> int | None:
    release = protect_counts(
        [{"n": value}], (TableSpec("total", ()),), measure="n", threshold=threshold
    )
    return release.table("total").value()


def _shown(value: int | None) -> int | str:
    return SUPPRESSED_MARK if value is None else value
