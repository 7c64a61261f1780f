"""One candidate pair side by side, its history of verdicts, and the verdict itself.

Ids only in URLs. Names only for roles that may see identities (read audited, see comparison).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.permissions import capability_required
from civharm.incidents.models import Incident, LinkCandidate, LinkDecision
from civharm.incidents.services.name_words import refused_for_a_name
from civharm.web.linkage import comparison
from civharm.web.linkage.forms import DecisionForm, QueueFilterForm
from civharm.web.linkage.queue import (
    decision_message,
    pending_counts,
    pending_pairs,
    percent,
    with_reports,
)


def _query(kind: str, sort: str) -> str:
    values = {"kind": kind, "sort": sort if sort != "uncertain" else ""}
    text = urlencode({key: value for key, value in values.items() if value})
    return f"?{text}" if text else ""


def _counted_in(candidate: LinkCandidate) -> list[Incident | None]:
    """The incident each side counts towards now (a person's incident for person pairs)."""
    if candidate.kind == "incident":
        return [candidate.left.incident, candidate.right.incident]
    records = [comparison.victim_record(r) for r in (candidate.left, candidate.right)]
    return [record.person.incident if record else None for record in records]


def _history(candidate: LinkCandidate) -> list[LinkDecision]:
    decisions = LinkDecision.objects.filter(
        kind=candidate.kind, left_id=candidate.left_id, right_id=candidate.right_id
    )
    return list(decisions.order_by("-decided_at", "-id"))


def _candidate(pk: int) -> LinkCandidate:
    queryset = with_reports(LinkCandidate.objects.select_related("run"))
    return get_object_or_404(queryset.select_related("left__incident", "right__incident"), pk=pk)


@capability_required("review")
@require_GET
def pair_page(request: HttpRequest, pk: int) -> HttpResponse:
    kind, sort = QueueFilterForm(request.GET or None).values()
    form = DecisionForm(initial={"kind": kind, "sort": sort})
    return _pair_response(request, _candidate(pk), form, kind, sort)


@sensitive_variables("names", "rows")
def _pair_response(
    request: HttpRequest, candidate: LinkCandidate, form: DecisionForm, kind: str, sort: str
) -> HttpResponse:
    """The pair side by side, with `form` (a refused note comes back in it, to be mended)."""
    left, right = candidate.left, candidate.right
    names = comparison.read_names(request.user, candidate)
    if candidate.kind == "incident":
        rows = comparison.incident_rows(left, right)
    else:
        rows = comparison.person_rows(left, right, names)
    grouped, grouped_more = (
        comparison.grouped_with(candidate) if candidate.reason == "chained" else ([], 0)
    )
    context = {
        "candidate": candidate,
        "grouped": grouped,
        "grouped_more": grouped_more,
        "percent": percent(candidate.probability),
        "rows": rows,
        "differing": sum(row.differs for row in rows),
        "names_shown": names is not None,
        "counted_in": _counted_in(candidate),
        "history": _history(candidate),
        "same_list": (
            left.source_id == right.source_id
            and left.source.name not in comparison.repeating_lists(candidate)
        ),
        "form": form,
        # a page given back on a POST: switching language comes back to the pair
        "language_next": reverse("web:linkage_pair", args=[candidate.pk]) + _query(kind, sort),
        "pending": pending_counts()[kind],
        "queue_query": _query(kind, sort),
    }
    response = render(request, "web/linkage/pair.html", context)
    response["Cache-Control"] = "no-store"  # names, for roles that may read them: never cached
    return response


@capability_required("review")
@require_POST
@sensitive_post_parameters("note")
@sensitive_variables("data", "form")
def decide_pair(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the verdict through the verdicts service, then open the next pending pair."""
    from civharm.incidents.services import verdicts  # pandas and the engine: loaded when used

    candidate = get_object_or_404(LinkCandidate, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        kind = form.cleaned_data.get("kind") or ""
        sort = form.cleaned_data.get("sort") or "uncertain"
        return _pair_response(request, _candidate(pk), form, kind, sort)  # the note kept
    data = form.cleaned_data
    if refused_for_a_name(data["note"], request.user.username, "LinkCandidate", candidate.pk):
        messages.error(
            request,
            _(
                "The note holds a word of a victim's name (on these records or on another "
                "list). Write why you decided, never who: nothing was recorded."
            ),
        )
        # The page again, the note kept for mending: only in this reply (never stored, never
        # cached), to the person who typed it.
        kind, sort = data["kind"] or "", data["sort"] or "uncertain"
        return _pair_response(request, _candidate(pk), form, kind, sort)
    waiting = pending_counts()[candidate.kind]
    try:
        done = verdicts.decide(
            candidate.kind,
            candidate.left_id,
            candidate.right_id,
            data["decision"],
            user=request.user.username,
            note=data["note"].strip(),
        )
    except verdicts.LinkageError as error:
        messages.error(request, str(error))
        return redirect("web:linkage_pair", pk=pk)
    messages.success(request, decision_message(data["decision"], candidate.kind, done, waiting))
    query = _query(data["kind"] or "", data["sort"] or "uncertain")
    following = (
        pending_pairs(data["kind"] or "", data["sort"] or "uncertain").exclude(pk=pk).first()
    )
    if following is None:
        messages.info(request, _("No pair is waiting for review."))
        return redirect(reverse("web:linkage_queue") + query)
    return redirect(reverse("web:linkage_pair", args=[following.pk]) + query)
