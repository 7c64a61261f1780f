"""Pages. Each view states the capability it needs; the role walk test checks them all."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from civharm.accounts.permissions import capability_required
from civharm.incidents.models import HarmCount, Incident, Report


@capability_required("view_aggregates")
def home(request: HttpRequest) -> HttpResponse:
    """Overview: totals by region — aggregates only, so every role may see it."""
    by_region = (
        Incident.objects.values("admin1_name")
        .annotate(incidents=Count("id"))
        .order_by("-incidents", "admin1_name")
    )
    killed = HarmCount.objects.filter(harm_type="killed").aggregate(best=Sum("best"))["best"]
    rows = list(by_region)
    if not request.user.can("view_incidents"):  # type: ignore[union-attr]
        rows = [{**row, "incidents": _suppressed(row["incidents"])} for row in rows]
    context = {
        "by_region": rows,
        "incidents": Incident.objects.count(),
        "reports": Report.objects.count(),
        "killed_best": killed or 0,
    }
    return render(request, "web/home.html", context)


SMALL_CELL = 5


def _suppressed(value: int) -> int | str:
    """Counts 1–4 are shown as "< 5" to roles that see aggregates only (see the analysis issue
    for full disclosure control with secondary suppression)."""
    return "< 5" if 0 < value < SMALL_CELL else value
