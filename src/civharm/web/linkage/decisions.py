"""Verdicts already given, newest first, and changing one: where a split (or any verdict) is
taken back. Sources, record ids and pseudonyms, never a name.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civharm.accounts.permissions import capability_required
from civharm.incidents.linking import LINK_KINDS
from civharm.incidents.models import LinkDecision
from civharm.web.linkage.forms import VERDICTS
from civharm.web.linkage.queue import decision_message, pending_counts, pseudonym_of

PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # the largest id a database column holds


class ChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=LINK_KINDS)
    left = forms.IntegerField(min_value=1, max_value=MAX_ID)
    right = forms.IntegerField(min_value=1, max_value=MAX_ID)
    decision = forms.ChoiceField(choices=VERDICTS)
    page = forms.IntegerField(min_value=1, required=False)


def _kinds(request: HttpRequest) -> list[str]:
    """Person pairs only for roles that may see persons."""
    return ["incident", "person"] if request.user.can("view_persons") else ["incident"]  # type: ignore[union-attr]


@capability_required("review")
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        LinkDecision.objects.filter(kind__in=_kinds(request))
        .select_related(
            "left__source",
            "right__source",
            "left__victim_record__person",
            "right__victim_record__person",
        )
        .defer(
            "note",
            *(f"{side}__payload" for side in ("left", "right")),
            *(
                f"{side}__victim_record__{field}_encrypted"
                for side in ("left", "right")
                for field in ("name", "father_name")
            ),
            *(
                f"{side}__victim_record__person__{field}_encrypted"
                for side in ("left", "right")
                for field in ("name", "contact", "community")
            ),
        )
        .order_by("-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    decisions = list(page.object_list)
    pairs = Q()
    for made in decisions:
        pairs |= Q(kind=made.kind, left_id=made.left_id, right_id=made.right_id)
    latest = set()
    if decisions:
        rows = LinkDecision.objects.filter(pairs).values("kind", "left_id", "right_id")
        latest = set(rows.annotate(last=Max("id")).values_list("last", flat=True))
    for made in decisions:
        made.is_latest = made.pk in latest
        made.other = "no_match" if made.decision == "match" else "match"
        for report in (made.left, made.right):
            report.pseudonym = pseudonym_of(report) if made.kind == "person" else ""
    page.object_list = decisions
    return render(request, "web/linkage/decisions.html", {"page": page})


@capability_required("review")
@require_POST
def change_decision(request: HttpRequest) -> HttpResponse:
    """A new verdict on a pair already decided (the latest verdict wins): how a split, or any
    verdict, is taken back."""
    from civharm.incidents.services import verdicts  # pandas and the engine: loaded when used

    form = ChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This change could not be read; nothing was changed."))
        return redirect("web:linkage_decisions")
    data = form.cleaned_data
    if data["kind"] not in _kinds(request):
        raise PermissionDenied
    left, right = sorted((data["left"], data["right"]))
    latest = (
        LinkDecision.objects.filter(kind=data["kind"], left_id=left, right_id=right)
        .order_by("-id")
        .only("decision")
        .first()
    )
    page = f"?page={data['page']}" if data["page"] else ""
    if latest is None:  # a verdict on a new pair is given on its pair page, from the queue
        messages.error(request, _("Only a pair already decided can be changed here."))
        return redirect(reverse("web:linkage_decisions") + page)
    if latest.decision == data["decision"]:  # a page left open while someone else changed it
        messages.info(request, _("This pair already has that verdict; nothing was changed."))
        return redirect(reverse("web:linkage_decisions") + page)
    waiting = pending_counts()[data["kind"]]
    try:
        done = verdicts.decide(
            data["kind"], data["left"], data["right"], data["decision"], user=request.user.username
        )
    except verdicts.LinkageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, decision_message(data["decision"], data["kind"], done, waiting))
    return redirect(reverse("web:linkage_decisions") + page)
