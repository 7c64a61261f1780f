"""One incident: its reports side by side with provenance, the counts and the reports behind
them, a map, persons (by pseudonym, for roles that may see them), history and review actions.

Never renders a name, a contact or a victim report's free text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.models import AuditEntry
from civharm.accounts.permissions import capability_required
from civharm.incidents import review
from civharm.incidents.models import Incident, IncidentPerpetrator, Person, Report
from civharm.web.linkage.links import linked_reports_context
from civharm.web.register.forms import REVIEW_FORMS, AssignForm, CommentForm, GradeForm
from civharm.web.register.views import actor_label, term_labels

HISTORY_LIMIT = 200
DONE_MESSAGES = {
    "assign": _("Incident assigned."),
    "comment": _("Comment added."),
    "grade": _("Incident graded."),
    "approve": _("Incident approved."),
}
INCIDENT_TYPES = ("incident", "Incident")
REPORT_TYPES = ("report", "Report")
IMPORT_RUN_TYPES = ("import_run", "ImportRun")


@dataclass
class HarmRow:
    """One harm type: the incident's low/best/high and each report's own figures."""

    key: str
    label: str
    low: int | None = None
    best: int | None = None
    high: int | None = None
    reports: list[tuple[Report, list[int | None]]] = field(default_factory=list)


def harm_rows(incident: Incident, reports: list[Report]) -> list[HarmRow]:
    labels = term_labels("harm_types")
    rows = {key: HarmRow(key, label) for key, label in labels.items()}
    for count in incident.harm_counts.all():
        row = rows.setdefault(count.harm_type, HarmRow(count.harm_type, count.harm_type))
        row.low, row.best, row.high = count.low, count.best, count.high
    for report in reports:
        for key, figures in (report.harm or {}).items():
            row = rows.setdefault(key, HarmRow(key, key))
            row.reports.append((report, list(figures)))
    return [row for row in rows.values() if row.reports or row.best or row.high or row.low]


def _reports(incident: Incident) -> list[Report]:
    source_types = term_labels("source_types")
    reports = list(
        incident.reports.select_related("source", "import_run")
        .defer("payload")
        .order_by("received_at", "id")
    )
    for report in reports:
        kind = report.source.source_type
        report.source_type_label = source_types.get(kind, kind)
    return reports


def _history(incident: Incident, reports: list[Report]) -> list[AuditEntry]:
    mine = Q(object_type__in=INCIDENT_TYPES, object_id=str(incident.pk))
    theirs = Q(object_type__in=REPORT_TYPES, object_id__in=[str(r.pk) for r in reports])
    runs = {str(r.import_run_id) for r in reports if r.import_run_id}
    imported = Q(object_type__in=IMPORT_RUN_TYPES, object_id__in=runs)
    entries = AuditEntry.objects.filter(mine | theirs | imported)
    return list(entries.order_by("-at", "-id")[:HISTORY_LIMIT])


def _persons(request: HttpRequest, incident: Incident) -> list[Person] | None:
    if not request.user.can("view_persons"):
        return None
    harm_labels = term_labels("harm_types")
    persons = list(
        incident.persons.filter(merged_into__isnull=True)
        .only("pseudonym", "sex", "age", "age_band", "civilian_status", "harm_type", "incident_id")
        .order_by("pseudonym")
    )
    for person in persons:
        person.harm_label = harm_labels.get(person.harm_type, person.harm_type)
    return persons


def _perpetrators(incident: Incident) -> list[dict[str, str]]:
    statuses = term_labels("attribution_statuses")
    links = IncidentPerpetrator.objects.filter(incident=incident).select_related("actor")
    return [
        {
            "actor": actor_label(link.actor),
            "status": statuses.get(link.attribution_status, link.attribution_status),
        }
        for link in links.order_by("actor__key")
    ]


def _review_context(request: HttpRequest, incident: Incident) -> dict[str, object]:
    events = list(incident.review_events.select_related("actor", "assignee"))
    grades = term_labels("assessment_grades")
    for event in events:
        event.grade_label = grades.get(event.grade, event.grade)
    assigned = next((e.assignee for e in events if e.kind == "assign"), None)
    context: dict[str, object] = {"review_events": events, "assignee": assigned}
    if request.user.can("review"):
        context["review_forms"] = {
            "assign": AssignForm(
                initial={"assignee": assigned.username if assigned else None},
                auto_id="assign_%s",
            ),
            "comment": CommentForm(auto_id="comment_%s"),
            "grade": GradeForm(initial={"grade": incident.assessment_grade}, auto_id="grade_%s"),
        }
        context["can_approve"] = bool(incident.assessment_grade) and (
            incident.review_status != "approved"
        )
    return context


@capability_required("view_incidents")
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _incident_response(request, pk)


def _incident_response(
    request: HttpRequest, pk: int, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    """The incident page; `bound`: review forms to show as the person filled them in."""
    incident = get_object_or_404(Incident.objects.prefetch_related("harm_counts"), pk=pk)
    reports = _reports(incident)
    context = {
        "incident": incident,
        "reports": reports,
        "perpetrators": _perpetrators(incident),
        "harm_rows": harm_rows(incident, reports),
        "persons": _persons(request, incident),
        "history": _history(incident, reports),
        "context_label": term_labels("interaction_contexts").get(incident.interaction_context),
        "grade_label": term_labels("assessment_grades").get(incident.assessment_grade),
        "status_label": term_labels("review_statuses").get(incident.review_status),
        "boundaries_url": reverse("web:boundaries", args=[2]),
        **_review_context(request, incident),
        **linked_reports_context(request, incident, reports),
    }
    if bound:  # given back on a POST: switching language comes back to the incident
        context["language_next"] = reverse("web:incident", args=[pk])
    if bound and "review_forms" in context:
        context["review_forms"] = {**context["review_forms"], **bound}  # type: ignore[dict-item]
    response = render(request, "web/register/incident.html", context)
    if bound:
        response["Cache-Control"] = "no-store"  # the person's own text, sent back to be mended
    return response


@capability_required("review")
@require_POST
@sensitive_post_parameters("text")  # a refused text may hold a victim's name
def review_action(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Assign, comment, grade or approve; errors come back as a message on the incident page."""
    incident = get_object_or_404(Incident, pk=pk)
    form_class = REVIEW_FORMS.get(kind)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, auto_id=f"{kind}_%s")  # as the page's own forms
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("web:incident", pk=pk)
    try:
        _apply(kind, incident, request, form.cleaned_data)
    except review.ReviewError as error:
        messages.error(request, str(error))
        if form.cleaned_data.get("text"):  # the text comes back to be mended, not retyped
            return _incident_response(request, pk, bound={kind: form})
    else:
        messages.success(request, DONE_MESSAGES[kind])
    return redirect("web:incident", pk=pk)


def _apply(kind: str, incident: Incident, request: HttpRequest, data: dict[str, Any]) -> None:
    actor = request.user
    if kind == "assign":
        review.assign(incident, actor, data["assignee"])
    elif kind == "comment":
        review.comment(incident, actor, str(data["text"]))
    elif kind == "grade":
        review.grade(incident, actor, str(data["grade"]), str(data.get("text") or ""))
    else:
        review.approve(incident, actor)
