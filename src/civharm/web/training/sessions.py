"""Pages: the sessions list, one session (participants, attendance, scores), recording a
session, adding a participant, attendance, a participant's test answers, and the audited
reveal of a participant's service number and name.

Participants appear by pseudonym, rank and unit. Their service number and name are shown only
in the answer to an explicit "reveal" (each one written to the audit trail), never stored in
the page session, a URL, a message or a log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civharm.accounts.permissions import capability_required
from civharm.training.curriculum import create_unit
from civharm.training.errors import TrainingError
from civharm.training.models import Attendance, Participant, Session, TestAttempt, Unit
from civharm.training.services import (
    VIEW_IDENTITIES_CAPABILITY,
    add_participant,
    record_attempt,
    record_attendance,
    record_session,
    reveal_participant,
    session_questions,
)
from civharm.web.training.curriculum import recent_sessions
from civharm.web.training.forms import (
    AttemptForm,
    ParticipantForm,
    SessionForm,
    bound_data,
    module_title,
    trainer_names,
    version_label,
)
from civharm.web.training.gain import gain_labels, gain_row, score_pairs
from civharm.web.training.navigation import render_page

PAGE_SIZE = 50
KINDS = ("pre", "post")


def get_session(pk: int) -> Session:
    queryset = Session.objects.select_related("module_version__module", "unit", "partner")
    return get_object_or_404(queryset, pk=pk)


def get_attendance(session: Session, participant_pk: int) -> Attendance:
    """A participant's registration in this session (any other participant is 'not found')."""
    attendance = Attendance.objects.filter(session=session, participant_id=participant_pk)
    found = attendance.select_related("participant", "unit").first()
    if found is None:
        raise Http404
    return found


def get_enrolled(session: Session, participant_pk: int) -> Participant:
    """A participant registered in this session (any other is 'not found' here)."""
    return get_attendance(session, participant_pk).participant


@capability_required("view_training")
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = recent_sessions(limit=10_000)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "web/training/sessions.html", {"page": page})


def _scores(session: Session) -> dict[tuple[int, str], TestAttempt]:
    return {(a.participant_id, a.kind): a for a in session.attempts.all()}


def _roster(session: Session, revealed: dict[int, tuple[str, str]]) -> list[dict[str, Any]]:
    """One row per registered participant: pseudonym, rank and unit at this session, attendance,
    both scores."""
    scores = _scores(session)
    attendances = session.attendances.select_related("participant", "unit")
    rows = []
    for attendance in attendances.order_by("participant__pseudonym"):
        participant = attendance.participant
        rows.append(
            {
                "participant": participant,
                "attendance": attendance,
                "attended": attendance.attended,
                "pre": scores.get((participant.pk, "pre")),
                "post": scores.get((participant.pk, "post")),
                "identity": revealed.get(participant.pk),
            }
        )
    return rows


def session_context(request: HttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    revealed = extra.pop("revealed", {})
    pairs = score_pairs(sessions=[session.pk])
    form = extra.pop("participant_form", None) or ParticipantForm(initial={"unit": session.unit})
    return {
        "session": session,
        "module_title": module_title(session.module_version.module),
        "version_label": version_label(session.module_version),
        "trainers": trainer_names(session.trainers),
        "roster": _roster(session, revealed),
        "participant_form": form,
        "gain": gain_row(session.code, "", pairs) if pairs else None,
        "labels": gain_labels(),
        "question_count": len(session_questions(session)),
        "questions_frozen": session.question_ids is not None,
        **extra,
    }


@capability_required("view_training")
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session(pk)
    return render_page(request, "web/training/session.html", session_context(request, session))


def _unit_for(data: dict[str, Any], actor: str) -> Unit:
    if data.get("unit") is not None:
        return data["unit"]
    name = data["new_unit"].strip()
    existing = Unit.objects.filter(name__iexact=name).first()
    return existing or create_unit(
        name=name, area_admin1_pcode=data.get("admin1_pcode") or "", actor=actor
    )


def _record(data: dict[str, Any], actor: str) -> Session:
    with transaction.atomic():
        return record_session(
            module_version=data["module_version"],
            held_on=data["held_on"],
            ends_on=data.get("ends_on"),
            place_name=data["place_name"].strip(),
            admin1_pcode=data.get("admin1_pcode") or "",
            unit=_unit_for(data, actor),
            partner=data.get("partner"),
            trainers=data["trainers"].strip(),
            actor=actor,
        )


@capability_required("manage_training")
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    form = SessionForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        session = _record(form.cleaned_data, request.user.get_username())
        messages.success(
            request,
            _("Session {code} recorded. Now add its participants.").format(code=session.code),
        )
        return redirect("web:training_session", pk=session.pk)
    if request.method == "POST":
        messages.error(request, _("The session was not recorded: see the fields marked below."))
    has_modules = form.fields["module_version"].queryset.exists()  # type: ignore[attr-defined]
    context = {"form": form, "has_modules": has_modules}
    return render_page(request, "web/training/session_form.html", context)


@capability_required("manage_training")
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_session(pk)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The participant was not added: see the fields marked below."))
        context = session_context(request, session, participant_form=form)
        return render_page(request, "web/training/session.html", context)
    data = form.cleaned_data
    try:
        participant = add_participant(
            session,
            service_number=data["service_number"].strip(),
            name=data["name"].strip(),
            rank=data["rank"],
            unit=data["unit"],
            actor=request.user.get_username(),
        )
    except TrainingError as error:
        form.add_error(None, str(error))
        context = session_context(request, session, participant_form=form)
        return render_page(request, "web/training/session.html", context)
    messages.success(request, _added_message(request, participant))
    return redirect("web:training_session", pk=session.pk)


def _added_message(request: HttpRequest, participant: Participant) -> str:
    """Only a role that may see identities is told which pseudonym the typed number gave: for
    the others the reply does not tie what they typed to a row (see docs/training.md)."""
    if request.user.can(VIEW_IDENTITIES_CAPABILITY):  # type: ignore[union-attr]
        return _("Participant {pseudonym} added to the session.").format(
            pseudonym=participant.pseudonym
        )
    return _("Participant added to the session.")


@capability_required("manage_training")
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Ticks are the participants present; every other participant listed on the page that was
    sent (hidden `listed` fields) was absent. A participant added since that page was opened is
    not in it and is left as they are."""
    session = get_session(pk)
    listed = {int(value) for value in request.POST.getlist("listed") if value.isdigit()}
    present = {int(value) for value in request.POST.getlist("attended") if value.isdigit()}
    actor = request.user.get_username()
    rows = session.attendances.filter(participant_id__in=listed).select_related("participant")
    with transaction.atomic():
        for row in rows:
            attended = row.participant_id in present
            record_attendance(session, row.participant, attended, actor=actor)
    messages.success(request, _("Attendance saved."))
    return redirect("web:training_session", pk=session.pk)


def _attempt_page(
    request: HttpRequest, session: Session, enrolled: Attendance, kind: str, form: AttemptForm
) -> HttpResponse:
    context = {
        "session": session,
        "module_title": module_title(session.module_version.module),
        "participant": enrolled.participant,
        "attendance": enrolled,
        "kind": kind,
        "kind_label": _("Pre-test") if kind == "pre" else _("Post-test"),
        "form": form,
    }
    return render_page(request, "web/training/attempt_form.html", context)


@capability_required("manage_training")
@require_http_methods(["GET", "POST"])
def attempt(request: HttpRequest, pk: int, participant: int, kind: str) -> HttpResponse:
    """Enter a participant's answers to the pre- or post-test; they are scored on saving."""
    if kind not in KINDS:
        raise Http404
    session = get_session(pk)
    enrolled = get_attendance(session, participant)
    trainee = enrolled.participant
    questions = session_questions(session)  # the frozen set, retired questions included
    previous = TestAttempt.objects.filter(session=session, participant=trainee, kind=kind).first()
    initial = {f"q{key}": value for key, value in (previous.answers if previous else {}).items()}
    form = AttemptForm(bound_data(request), questions=questions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scored = record_attempt(
                session, trainee, kind, form.answers(), actor=request.user.get_username()
            )
        except TrainingError as error:  # e.g. the first test froze another set meanwhile
            form.add_error(None, str(error))
            messages.error(request, _("The answers were not saved: see the message below."))
            return _attempt_page(request, session, enrolled, kind, form)
        messages.success(
            request,
            _("{test} of {pseudonym} scored: {score} / {maximum}.").format(
                test=_("Pre-test") if kind == "pre" else _("Post-test"),
                pseudonym=trainee.pseudonym,
                score=scored.score,
                maximum=scored.max_score,
            ),
        )
        return redirect("web:training_session", pk=session.pk)
    if request.method == "POST":
        messages.error(request, _("The answers were not saved: see the message below."))
    return _attempt_page(request, session, enrolled, kind, form)


@capability_required("view_participant_identities")
@require_POST
def participant_reveal(request: HttpRequest, pk: int, participant: int) -> HttpResponse:
    """Show one participant's service number and name in this answer only (audited)."""
    session = get_session(pk)
    trainee = get_enrolled(session, participant)
    identity = reveal_participant(trainee, user=request.user)
    context = session_context(request, session, revealed={trainee.pk: identity})
    response = render_page(request, "web/training/session.html", context)
    response["Cache-Control"] = "no-store"
    return response
