"""Pages: the interviews list, one interview, and recording a new one.

Interviewees appear by pseudonym only. The narrative is shown only after the explicit, audited
"show the narrative" action (civharm.web.research.coding); a name is never shown at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civharm.accounts.permissions import capability_required
from civharm.research.errors import ResearchError
from civharm.research.models import ConsentWithdrawal, Interview
from civharm.research.services import InterviewInput, quote_text, record_interview
from civharm.web.research.forms import (
    CodingForm,
    InterviewFilterForm,
    InterviewForm,
    QuoteDecisionForm,
    WithdrawForm,
    harm_choices,
)
from civharm.web.research.narrative import Span, excerpt_preview, segments
from civharm.web.research.navigation import render_page
from civharm.web.research.reading import narrative_is_open, read_narrative

PAGE_SIZE = 50


def _filtered(form: InterviewFilterForm) -> QuerySet[Interview]:
    chosen = form.cleaned_data if form.is_valid() else {}
    queryset = Interview.objects.select_related("interviewee", "consent")
    if chosen.get("region"):
        queryset = queryset.filter(admin1_pcode=chosen["region"])
    if chosen.get("language"):
        queryset = queryset.filter(language=chosen["language"])
    if chosen.get("period"):
        since = timezone.localdate() - timedelta(days=int(chosen["period"]))
        queryset = queryset.filter(interviewed_on__gte=since)
    return queryset.annotate(excerpt_count=Count("excerpts")).order_by("-interviewed_on", "-id")


@capability_required("view_interviews")
@require_GET
def interview_list(request: HttpRequest) -> HttpResponse:
    form = InterviewFilterForm(request.GET or None)
    page = Paginator(_filtered(form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_record": request.user.can("record_interviews"),
    }
    return render_page(request, "web/research/interviews.html", context)


def _linked(request: HttpRequest, interview: Interview) -> dict[str, Any]:
    """Incidents by code and register persons by pseudonym, for roles that may see them."""
    persons = None
    if request.user.can("view_persons"):
        persons = list(interview.persons.only("pseudonym").order_by("pseudonym"))
    return {
        "incidents": list(interview.incidents.only("id").order_by("id")),
        "can_view_incidents": request.user.can("view_incidents"),
        "persons": persons,
    }


def _excerpts(interview: Interview, narrative: str | None) -> list[Any]:
    language = get_language() or "fr"
    excerpts = list(interview.excerpts.select_related("theme").order_by("start", "id"))
    for excerpt in excerpts:
        excerpt.theme_label = excerpt.theme.label(language)
        if narrative is not None:
            excerpt.preview = excerpt_preview(narrative, excerpt.start, excerpt.end)
    return excerpts


def _narrative_context(
    request: HttpRequest, interview: Interview, excerpts: list[Any]
) -> dict[str, Any]:
    """The narrative cut at the excerpts, when its reading window is open (each display is
    read through the audited service)."""
    if interview.interviewee.withdrawn_at or not narrative_is_open(request, interview):
        return {"narrative_open": False}
    narrative = read_narrative(request, interview)
    spans = [Span(e.start, e.end, e.theme_label) for e in excerpts]
    return {"narrative_open": True, "narrative": narrative, "segments": segments(narrative, spans)}


def _quotes(request: HttpRequest, interview: Interview, narrative_open: bool) -> list[Any]:
    """The interview's quotes; a proposed or rejected quote's words (a copy of the narrative,
    encrypted) are read, audited, only while the narrative is shown."""
    quotes = list(interview.quotes.order_by("id"))
    for quote in quotes:
        quote.words = None
        if quote.status == "approved":
            quote.words = quote.text
        elif narrative_open:
            quote.words = quote_text(quote, user=request.user)
    return quotes


def briefs_withdrawn(tombstone: ConsentWithdrawal | None) -> int:
    """How many archived briefs that quoted the person were withdrawn from the archive."""
    if tombstone is None:
        return 0
    removed = tombstone.removed or {}
    return int(removed.get("briefs", 0)) or len(getattr(tombstone, "brief_ids", None) or [])


def withdrawal_summary(tombstone: ConsentWithdrawal | None) -> str:
    """What a withdrawal did, and what it cannot do: a brief already sent out stays out."""
    count = briefs_withdrawn(tombstone)
    briefs = ngettext(
        "{count} brief in the archive quoted them and was withdrawn from the archive.",
        "{count} briefs in the archive quoted them and were withdrawn from the archive.",
        count,
    ).format(count=count)
    return " ".join(
        [
            _(
                "The interviewee's identity, the narrative, its coding, quotes and attachments "
                "were deleted, and removed from every page, export and future brief."
            ),
            briefs if count else _("No brief in the archive quoted them."),
            _(
                "Briefs already sent out cannot be recalled: tell their recipients. "
                "A record of the withdrawal is kept."
            ),
        ]
    )


def detail_context(request: HttpRequest, interview: Interview, **forms: Any) -> dict[str, Any]:
    user = request.user
    excerpts = _excerpts(interview, None)
    shown = _narrative_context(request, interview, excerpts)
    if shown["narrative_open"]:
        excerpts = _excerpts(interview, shown["narrative"])
    harms = dict(harm_choices())
    withdrawn = interview.interviewee.withdrawn_at is not None
    tombstone = ConsentWithdrawal.objects.filter(interview_code=interview.code).first()
    return {
        "interview": interview,
        "interviewee": interview.interviewee,
        "consent": getattr(interview, "consent", None),
        "withdrawn": withdrawn,
        "tombstone": tombstone,
        "withdrawal_summary": withdrawal_summary(tombstone) if withdrawn else "",
        "harm_labels": [harms.get(key, key) for key in interview.harms or []],
        "excerpts": excerpts,
        "quotes": _quotes(request, interview, shown["narrative_open"]),
        "can_code": user.can("code_interviews") and not withdrawn,
        "can_approve": user.can("approve_quotes"),
        "can_withdraw": user.can("withdraw_consent") and not withdrawn,
        "coding_form": forms.get("coding_form") or CodingForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "decision_form": QuoteDecisionForm(),
        **shown,
        **_linked(request, interview),
    }


def get_interview(pk: int) -> Interview:
    queryset = Interview.objects.select_related("interviewee", "consent")
    return get_object_or_404(queryset, pk=pk)


@capability_required("view_interviews")
@require_GET
def interview_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview(pk)
    return render_page(request, "web/research/interview.html", detail_context(request, interview))


def _input(data: dict[str, Any], actor: str) -> InterviewInput:
    return InterviewInput(
        interviewed_on=data["interviewed_on"],
        place_name=data["place_name"].strip(),
        admin1_pcode=data["admin1_pcode"],
        admin2_pcode=data["admin2_pcode"],
        interviewer=actor,
        language=data["language"],
        name=data["name"].strip(),
        contact=data["contact"].strip(),
        community=data["community"].strip(),
        sex=data["sex"],
        age_band=data["age_band"],
        displacement_status=data["displacement_status"],
        narrative=data["narrative"],
        harms=list(data["harms"]),
        incidents=list(data["incidents"]),
        persons=list(data["persons"]),
        legal_basis=data["legal_basis"],
        consent_method=data["method"],
        for_research=data["for_research"],
        for_publication=data["for_publication"],
        for_sharing=data["for_sharing"],
        interviewee_pseudonym=data["interviewee_pseudonym"],
    )


@capability_required("record_interviews")
@require_http_methods(["GET", "POST"])
def interview_new(request: HttpRequest) -> HttpResponse:
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.user.get_username()
        try:
            interview = record_interview(_input(form.cleaned_data, actor), actor=actor)
        except ResearchError as error:  # e.g. a follow-up whose identity does not match
            form.add_error(None, str(error))
            return _form_page(request, form)
        messages.success(
            request,
            _("Interview {code} recorded; the interviewee is {pseudonym}.").format(
                code=interview.code, pseudonym=interview.interviewee.pseudonym
            ),
        )
        return redirect("web:interview", pk=interview.pk)
    if request.method == "POST":
        return _form_page(request, form)
    return render_page(request, "web/research/interview_form.html", {"form": form})


def _form_page(request: HttpRequest, form: InterviewForm) -> HttpResponse:
    messages.error(request, _("The interview was not recorded: see the fields marked below."))
    return render_page(request, "web/research/interview_form.html", {"form": form})
