"""What linkage merged into one incident, and the undo: split one report (or victim record) off.

Shown on the incident page; lists sources, record ids and pseudonyms, never a name.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civharm.accounts.permissions import capability_required
from civharm.incidents.models import Incident, Person, Report, VictimRecord

SPLIT_KINDS = ("incident", "person")


def _merged_persons(incident: Incident) -> list[Person]:
    """Persons of the incident counted from more than one victim record, with those records."""
    persons = list(
        incident.persons.annotate(n_records=Count("records"))
        .filter(n_records__gt=1)
        .order_by("pseudonym")
    )
    records = (
        VictimRecord.objects.filter(person__in=persons)
        .select_related("report__source")
        .defer("report__payload")
        .order_by("report_id")
    )
    by_person: dict[int, list[VictimRecord]] = {}
    for record in records:
        by_person.setdefault(record.person_id, []).append(record)
    for person in persons:
        person.linked_records = by_person.get(person.pk, [])
    return persons


def linked_reports_context(
    request: HttpRequest, incident: Incident, reports: list[Report]
) -> dict[str, object]:
    """Context of the incident page's "Linked reports" section (`reports`: the incident's, as
    the page lists them). An event report can be split off when the incident has several."""
    user = request.user
    related = Incident.objects.filter(Q(merged_into=incident) | Q(pk=incident.merged_into_id))
    merged_into = None
    merged_here = []
    for other in related.order_by("id"):
        if other.pk == incident.merged_into_id:
            merged_into = other
        else:
            merged_here.append(other)
    events = sum(report.kind == "event" for report in reports)
    context: dict[str, object] = {
        "merged_into": merged_into,
        "merged_here": merged_here,
        "can_split": user.can("review"),
        "can_split_events": user.can("review") and events > 1,
        "merged_persons": [],
    }
    if user.can("view_persons"):
        context["merged_persons"] = _merged_persons(incident)
    return context


def _back_to(request: HttpRequest, report: Report) -> HttpResponse:
    """The incident page the button was on, else the report's (new) incident, else the queue."""
    page = request.POST.get("incident", "")
    if page.isdigit() and Incident.objects.filter(pk=int(page)).exists():
        return redirect("web:incident", pk=int(page))
    report.refresh_from_db(fields=["incident"])
    if report.incident_id:
        return redirect("web:incident", pk=report.incident_id)
    return redirect("web:linkage_queue")


@capability_required("review")
@require_POST
def split_off_report(request: HttpRequest, kind: str, report_id: int) -> HttpResponse:
    """Undo a merge for one report: it counts towards its own incident (or person) again."""
    from civharm.incidents.services import linking  # pandas and the engine: loaded when used

    if kind not in SPLIT_KINDS:
        raise Http404
    report = get_object_or_404(Report.objects.defer("payload"), pk=report_id)
    try:
        linking.split_off(kind, report.pk, user=request.user.username)
    except linking.LinkageError as error:
        messages.error(request, str(error))
        return _back_to(request, report)
    messages.success(
        request,
        _("{source} · {record} was split off.").format(
            source=report.source.name, record=report.record_id
        ),
    )
    return _back_to(request, report)
