"""What linkage merged, and the undo: split one report (or victim record) off.

Merged incidents are shown on the incident page; persons counted from several victim records
on their incident's page and on a page of their own (persons no incident fits are only there).
Sources, record ids and pseudonyms, never a name.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.permissions import capability_required
from civharm.incidents.models import Incident, Person, Report, VictimRecord

SPLIT_KINDS = ("incident", "person")
PAGE_SIZE = 50


def _counted_from_several(persons: QuerySet[Person]) -> QuerySet[Person]:
    """Persons (not merged into another) counted from more than one victim record."""
    counted = (
        persons.filter(merged_into__isnull=True)
        .defer("name_encrypted", "contact_encrypted", "community_encrypted")  # never shown
        .annotate(n_records=Count("records"))
    )
    return counted.filter(n_records__gt=1).order_by("pseudonym", "pk")


def _merged_persons(incident: Incident) -> list[Person]:
    """Persons of the incident counted from more than one victim record, with those records."""
    return _with_records(list(_counted_from_several(incident.persons.all())))


def _with_records(persons: list[Person]) -> list[Person]:
    records = (
        VictimRecord.objects.filter(person__in=persons)
        .select_related("report__source")
        .defer("report__payload", "name_encrypted")
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


@capability_required("review")
@require_GET
def linked_persons(request: HttpRequest) -> HttpResponse:
    """Every person counted from several victim records, with a "Split off" per record: where
    a merge of two victim records, by the model or by a verdict, is seen and undone."""
    if not request.user.can("view_persons"):  # type: ignore[union-attr]
        raise PermissionDenied
    page = Paginator(_counted_from_several(Person.objects.all()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = _with_records(list(page.object_list))
    return render(request, "web/linkage/persons.html", {"page": page})


def _number(text: str) -> int | None:
    """A page or incident number from a form; None unless it is plain digits."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def _back_url(request: HttpRequest, report: Report) -> str:
    """The page the button was on (an incident's, or a page of linked persons), else the
    report's (new) incident, else the queue."""
    persons_page = _number(request.POST.get("persons_page", ""))
    if persons_page is not None:
        return reverse("web:linkage_persons") + f"?page={persons_page}"
    page = _number(request.POST.get("incident", ""))
    if page is not None and Incident.objects.filter(pk=page).exists():
        return reverse("web:incident", args=[page])
    report.refresh_from_db(fields=["incident"])
    if report.incident_id:
        return reverse("web:incident", args=[report.incident_id])
    return reverse("web:linkage_queue")


def _back_to(request: HttpRequest, report: Report) -> HttpResponse:
    return redirect(_back_url(request, report))


@capability_required("review")
@require_POST
def split_off_report(request: HttpRequest, kind: str, report_id: int) -> HttpResponse:
    """Undo a merge for one report: it counts towards its own incident (or person) again."""
    from civharm.incidents.services import verdicts  # pandas and the engine: loaded when used

    if kind not in SPLIT_KINDS:
        raise Http404
    report = get_object_or_404(Report.objects.defer("payload"), pk=report_id)
    if kind == "person" and not request.user.can("view_persons"):  # type: ignore[union-attr]
        raise PermissionDenied
    others = len(verdicts.linked_with(kind, report.pk))
    if others and request.POST.get("confirmed") != "yes":  # one click must not split
        context = {
            "report": report,
            "others": others,
            "kind": kind,
            "incident": _number(request.POST.get("incident", "")),
            "persons_page": _number(request.POST.get("persons_page", "")),
            "back": _back_url(request, report),
            "language_next": _back_url(request, report),  # this address takes only a POST
        }
        return render(request, "web/linkage/split_confirm.html", context)
    try:
        done = verdicts.split_off(kind, report.pk, user=request.user.username)
    except verdicts.LinkageError as error:
        messages.error(request, str(error))
        return _back_to(request, report)
    if not done["decisions"]:
        messages.info(
            request,
            _("{source} · {record} is not linked to any other record: nothing to split.").format(
                source=report.source.name, record=report.record_id
            ),
        )
        return _back_to(request, report)
    messages.success(
        request,
        _("{source} · {record} was split off.").format(
            source=report.source.name, record=report.record_id
        ),
    )
    return _back_to(request, report)
