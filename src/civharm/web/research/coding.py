"""Actions on one interview: show the narrative (audited), code a passage with a theme, propose
a quote from an excerpt, approve or reject quotes, and record a withdrawal of consent.

All are POST. None ever echoes a name; a passage is echoed only to the coder who revealed it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.permissions import capability_required
from civharm.research.errors import ResearchError
from civharm.research.models import CodedExcerpt, Interview, Quote, Theme
from civharm.research.services import (
    add_coded_excerpt,
    approve_quote,
    propose_quote,
    quote_text,
    withdraw_consent,
)
from civharm.web.research.forms import CodingForm, QuoteDecisionForm, QuoteForm, WithdrawForm
from civharm.web.research.interviews import detail_context, get_interview, withdrawal_summary
from civharm.web.research.narrative import resolve_offsets
from civharm.web.research.navigation import render_page
from civharm.web.research.reading import (
    close_narrative,
    narrative_is_open,
    open_narrative,
    read_narrative,
)


def _back_to_narrative(interview: Interview) -> HttpResponse:
    return redirect(reverse("web:interview", args=[interview.pk]) + "#narrative")


@capability_required("view_interviews")
@require_POST
def interview_narrative(request: HttpRequest, pk: int) -> HttpResponse:
    """The explicit "show the narrative" (or "hide") action; showing is audited on display."""
    interview = get_interview(pk)
    if request.POST.get("hide"):
        close_narrative(request, interview)
        return redirect("web:interview", pk=interview.pk)
    if interview.interviewee.withdrawn_at:
        messages.error(request, _("Consent was withdrawn: the narrative has been deleted."))
        return redirect("web:interview", pk=interview.pk)
    open_narrative(request, interview)
    return _back_to_narrative(interview)


def _coding_error(request: HttpRequest, interview: Interview, form: CodingForm) -> HttpResponse:
    context = detail_context(request, interview, coding_form=form)
    return render_page(request, "web/research/interview.html", context)


@capability_required("code_interviews")
@require_POST
def interview_code(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview(pk)
    if interview.interviewee.withdrawn_at:
        messages.error(request, _("Consent was withdrawn: this interview can no longer be coded."))
        return redirect("web:interview", pk=interview.pk)
    if not narrative_is_open(request, interview):
        messages.error(request, _("Show the narrative before coding it."))
        return redirect("web:interview", pk=interview.pk)
    form = CodingForm(request.POST)
    if not form.is_valid():
        return _coding_error(request, interview, form)
    data = form.cleaned_data
    narrative = read_narrative(request, interview)
    offsets = resolve_offsets(narrative, data["start"], data["end"], data["passage"] or "")
    if offsets is None:
        form.add_error("passage", _("This passage is not in the narrative; quote it exactly."))
        return _coding_error(request, interview, form)
    theme = Theme.objects.get(key=data["theme"])
    try:
        add_coded_excerpt(
            interview, theme, offsets[0], offsets[1], coder=request.user.get_username()
        )
    except ResearchError as error:
        form.add_error(None, str(error))
        return _coding_error(request, interview, form)
    label = theme.label(get_language() or "fr")
    messages.success(request, _("Passage coded as “{theme}”.").format(theme=label))
    return _back_to_narrative(interview)


@capability_required("code_interviews")
@require_POST
def quote_propose(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview(pk)
    form = QuoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the words to publish."))
        return _back_to_narrative(interview)
    excerpt = get_object_or_404(CodedExcerpt, pk=form.cleaned_data["excerpt"], interview=interview)
    try:
        propose_quote(
            interview,
            form.cleaned_data["text"],
            proposer=request.user.get_username(),
            excerpt=excerpt,
        )
    except ResearchError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Quote proposed for publication."))
    return _back_to_narrative(interview)


@capability_required("approve_quotes")
@require_POST
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject one proposed quote; back to where the decision was made."""
    quote = get_object_or_404(Quote.objects.select_related("interview"), pk=pk)
    form = QuoteDecisionForm(request.POST)
    back = "web:quotes" if request.POST.get("back") == "quotes" else None
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject the quote."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            approve_quote(quote, approver=request.user.get_username(), approve=approve)
        except ResearchError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Quote approved for publication.") if approve else _("Quote rejected."),
            )
    if back or not request.user.can("view_interviews"):
        return redirect("web:quotes")
    return redirect(reverse("web:interview", args=[quote.interview_id]) + "#quotes")


@capability_required("approve_quotes")
@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    """Quotes waiting for a decision (their words read audited), then the latest decided:
    approved ones with their published words and name, rejected ones without words."""
    quotes = Quote.objects.select_related("interview__interviewee", "interview__consent")
    waiting = list(
        quotes.filter(status="proposed", interview__interviewee__withdrawn_at=None).order_by("id")
    )
    for quote in waiting:  # each proposed quote's words are read through the audited service
        quote.words = quote_text(quote, user=request.user)
    decided = quotes.exclude(status="proposed").order_by("-approved_at", "-id")[:50]
    context = {
        "waiting": waiting,
        "decided": list(decided),  # approved: the published words; rejected: none shown
        "decision_form": QuoteDecisionForm(),
        "can_view_interviews": request.user.can("view_interviews"),
    }
    return render_page(request, "web/research/quotes.html", context)


@capability_required("withdraw_consent")
@require_POST
def interview_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview(pk)
    if interview.interviewee.withdrawn_at:
        messages.info(request, _("Consent was already withdrawn."))
        return redirect("web:interview", pk=interview.pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = detail_context(request, interview, withdraw_form=form)
        return render_page(request, "web/research/interview.html", context)
    close_narrative(request, interview)
    tombstone = withdraw_consent(
        interview, actor=request.user.get_username(), reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Consent withdrawn.") + " " + withdrawal_summary(tombstone))
    return redirect("web:interview", pk=interview.pk)
