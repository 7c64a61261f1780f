"""A participant's certificate of training, as PDF (WeasyPrint, as the briefs are drawn).

It prints the participant's name and service number, so it needs view_participant_identities,
and every download is written to the audit trail (the reading of the identity, then the export).
Rank and unit are those recorded for that session (a later promotion never rewrites it).
French by default; English when English is the active language. Without Pango the same
certificate is returned as HTML, to print from the browser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts import audit
from civharm.accounts.permissions import capability_required
from civharm.advocacy.brief_render import PdfUnavailable, html_to_pdf
from civharm.training.models import Attendance, Participant, Session
from civharm.training.services import reveal_participant
from civharm.web.training.forms import trainer_names
from civharm.web.training.sessions import get_attendance, get_session

TEMPLATE = "training/certificate.html"


def certificate_language() -> str:
    return "en" if (translation.get_language() or "fr").startswith("en") else "fr"


def certificate_number(session: Session, participant: Participant) -> str:
    """Stable: the same session and participant always give the same number."""
    return f"{session.code}-{participant.pseudonym}"


def _when(session: Session) -> str:
    start = date_format(session.held_on, "DATE_FORMAT")
    place = session.place_name or _("an undisclosed place")
    if session.ends_on and session.ends_on != session.held_on:
        end = date_format(session.ends_on, "DATE_FORMAT")
        return _("held from {start} to {end} in {place}").format(start=start, end=end, place=place)
    return _("held on {date} in {place}").format(date=start, place=place)


def _texts(session: Session, attendance: Attendance, service_number: str) -> dict[str, str]:
    unit = attendance.unit.name if attendance.unit else session.unit.name
    version = session.module_version
    return {
        "kicker": _("Civilian harm mitigation — training of the armed forces"),
        "heading": _("Certificate of training"),
        "certifies": _("This certifies that"),
        "identity": _("{rank}, service number {number}, {unit}").format(
            rank=capfirst(attendance.get_rank_display()), number=service_number, unit=unit
        ),
        "attended": _("took part in the training module"),
        "version": _("version {version}").format(version=version.version),
        "when": _when(session),
        "partner": (
            _("delivered with {partner}").format(partner=session.partner.name)
            if session.partner
            else ""
        ),
        "issued": _("Issued on {date}").format(
            date=date_format(timezone.localdate(), "DATE_FORMAT")
        ),
        "note": _(
            "This certificate is personal. Its number is kept in the training register, "
            "where it can be checked."
        ),
    }


def certificate_context(
    session: Session, attendance: Attendance, identity: tuple[str, str], language: str
) -> dict[str, Any]:
    service_number, name = identity
    participant = attendance.participant
    return {
        "language": language,
        "name": name or participant.pseudonym,
        "module_title": session.module_version.module.title(language),
        "trainers": trainer_names(session.trainers),
        "number": certificate_number(session, participant),
        "texts": _texts(session, attendance, service_number),
    }


@capability_required("view_participant_identities")
@require_GET
def certificate(request: HttpRequest, pk: int, participant: int) -> HttpResponse:
    session = get_session(pk)
    enrolled = get_attendance(session, participant)
    trainee = enrolled.participant
    if not enrolled.attended:
        messages.error(
            request,
            _("{pseudonym} is marked absent: no certificate.").format(pseudonym=trainee.pseudonym),
        )
        return redirect("web:training_session", pk=session.pk)
    language = certificate_language()
    identity = reveal_participant(trainee, user=request.user)  # audited reading
    with translation.override(language):
        context = certificate_context(session, enrolled, identity, language)
        html = render_to_string(TEMPLATE, context)
    number = certificate_number(session, trainee)
    try:
        body, kind, content_type = html_to_pdf(html), "pdf", "application/pdf"
    except PdfUnavailable:
        body, kind, content_type = html.encode("utf-8"), "html", "text/html; charset=utf-8"
    audit.record(
        request.user.get_username(),
        "export",
        "TrainingCertificate",
        trainee.pk,
        fields=["name", "service_number"],
        details={"session": session.code, "certificate": number, "kind": kind},
    )
    response = HttpResponse(body, content_type=content_type)
    disposition = "attachment" if kind == "pdf" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="certificate-{number}.{kind}"'
    response["Cache-Control"] = "no-store"
    return response
