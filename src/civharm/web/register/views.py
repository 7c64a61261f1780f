"""The incident register: a filtered, sorted, paginated list (htmx or plain GET), its export,
and the boundaries drawn under incident maps. Never lists persons.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.core.gazetteer import Gazetteer
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import Actor, HarmCount, Incident, Report
from civharm.incidents.services import exporting
from civharm.web.register.filters import RegisterFilterForm, filtered_incidents, sorted_incidents

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def term_labels(name: str) -> dict[str, str]:
    """Taxonomy key -> label in the current language."""
    return dict(load_taxonomy().choices(name, get_language() or "fr"))


def actor_label(actor: Actor) -> str:
    return actor.name_en if (get_language() or "fr").startswith("en") else actor.name_fr


def _reports_count() -> Subquery:
    counted = (
        Report.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Subquery(counted, output_field=IntegerField())


def page_rows(queryset: QuerySet[Incident]) -> QuerySet[Incident]:
    """What one page of the register shows, in a fixed number of queries (no N+1)."""
    return queryset.annotate(reports_count=_reports_count()).prefetch_related(
        Prefetch("perpetrators", queryset=Actor.objects.order_by("key")),
        Prefetch(
            "harm_counts", queryset=HarmCount.objects.filter(harm_type="killed"), to_attr="killed"
        ),
    )


def _label_rows(incidents: list[Incident]) -> list[Incident]:
    contexts = term_labels("interaction_contexts")
    grades = term_labels("assessment_grades")
    statuses = term_labels("review_statuses")
    for incident in incidents:
        incident.actor_labels = [actor_label(a) for a in incident.perpetrators.all()]
        incident.context_label = contexts.get(
            incident.interaction_context, incident.interaction_context
        )
        incident.grade_label = grades.get(incident.assessment_grade, incident.assessment_grade)
        incident.status_label = statuses.get(incident.review_status, incident.review_status)
        incident.killed_count = incident.killed[0] if incident.killed else None
    return incidents


@capability_required("view_incidents")
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    """The register. An htmx request gets the results fragment only (count, table, pages)."""
    form = RegisterFilterForm(request.GET or None)
    sort = form.cleaned_data.get("sort", "") if form.is_valid() else ""
    queryset = page_rows(sorted_incidents(filtered_incidents(form), sort))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _label_rows(list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "count": page.paginator.count,
        "can_export": request.user.can("export_records"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/register/_results.html", context)
    return render(request, "web/register/incidents.html", context)


@capability_required("export_records")
@require_GET
def export_incidents(request: HttpRequest) -> HttpResponse:
    """The filtered set as CSV or XLSX, through the shared exporter (which audits it)."""
    fmt = request.GET.get("format", "csv")
    form = RegisterFilterForm(request.GET)
    if fmt not in EXPORT_FORMATS or not form.is_valid():
        return HttpResponseBadRequest(_("Unknown export format or filter."))
    folder = Path(tempfile.mkdtemp(prefix="civharm-web-export-"))
    name = f"civharm-incidents-{timezone.localdate():%Y-%m-%d}.{fmt}"
    try:
        exporting.export(
            "incidents",
            fmt,
            folder / name,
            actor=request.user.username,
            user=request.user,
            incidents=filtered_incidents(form),
            filters=form.active_filters(),
        )
        handle = open(folder / name, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the open handle keeps the data readable
    return FileResponse(handle, as_attachment=True, filename=name, content_type=EXPORT_TYPES[fmt])


@cache
def simplified_boundaries(level: int) -> bytes:
    """The pack's boundaries, simplified (about 1 km) and rounded: a light map layer."""
    from shapely.geometry import mapping, shape

    collection = Gazetteer.load().boundaries_geojson(level)
    for feature in collection["features"]:
        geometry = shape(feature["geometry"]).simplify(0.01, preserve_topology=True)
        feature["geometry"] = _rounded(mapping(geometry))
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rounded(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


@capability_required("view_aggregates")
@require_GET
def boundaries(request: HttpRequest, level: int) -> HttpResponse:
    """Regions (1) or cercles (2) as GeoJSON: public boundaries, cached by the browser."""
    if level not in (1, 2):
        return HttpResponseBadRequest(_("Unknown boundary level."))
    response = HttpResponse(simplified_boundaries(level), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response
