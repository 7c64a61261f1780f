"""Pages: stakeholder consultations (officials, leaders, civil society, the UN, the EU…), what
they raised, and the follow-ups agreed with their owners and due dates (overdue ones flagged).

Consultations record institutions and points raised, not victims: no protected identity here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civharm.accounts.permissions import capability_required
from civharm.core.gazetteer import Gazetteer
from civharm.research.models import FollowUp, StakeholderConsultation
from civharm.web.research.forms import ConsultationFilterForm, ConsultationForm, FollowUpForm
from civharm.web.research.navigation import render_page

LIST_LIMIT = 200


@capability_required("view_interviews")
@require_GET
def consultation_list(request: HttpRequest) -> HttpResponse:
    form = ConsultationFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    queryset = StakeholderConsultation.objects.all()
    if chosen.get("kind"):
        queryset = queryset.filter(kind=chosen["kind"])
    if chosen.get("region"):
        queryset = queryset.filter(admin1_pcode=chosen["region"])
    today = timezone.localdate()
    open_follow_ups = Q(follow_ups__done_on=None)
    queryset = queryset.annotate(
        open_count=Count("follow_ups", filter=open_follow_ups),
        overdue_count=Count("follow_ups", filter=open_follow_ups & Q(follow_ups__due_on__lt=today)),
    )
    context = {
        "form": form,
        "consultations": list(queryset.order_by("-held_on", "-id")[:LIST_LIMIT]),
        "can_record": request.user.can("record_interviews"),
    }
    return render_page(request, "web/research/consultations.html", context)


def _follow_ups(consultation: StakeholderConsultation) -> list[FollowUp]:
    today = timezone.localdate()
    rows = list(consultation.follow_ups.order_by("done_on", "due_on", "id"))
    for row in rows:
        row.overdue = row.done_on is None and row.due_on is not None and row.due_on < today
    return rows


def _detail(
    request: HttpRequest, consultation: StakeholderConsultation, form: FollowUpForm | None = None
) -> HttpResponse:
    context: dict[str, Any] = {
        "consultation": consultation,
        "follow_ups": _follow_ups(consultation),
        "follow_up_form": form or FollowUpForm(),
        "can_record": request.user.can("record_interviews"),
    }
    return render_page(request, "web/research/consultation.html", context)


@capability_required("view_interviews")
@require_GET
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(StakeholderConsultation, pk=pk))


@capability_required("record_interviews")
@require_http_methods(["GET", "POST"])
def consultation_new(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        regions = dict(Gazetteer.load().admin1_units())
        consultation = StakeholderConsultation.objects.create(
            held_on=data["held_on"],
            kind=data["kind"],
            organisation=data["organisation"].strip(),
            admin1_pcode=data["admin1_pcode"],
            admin1_name=regions.get(data["admin1_pcode"], ""),
            points_raised=data["points_raised"].strip(),
            recorded_by=request.user.get_username(),
        )
        messages.success(request, _("Consultation {code} recorded.").format(code=consultation.code))
        return redirect("web:consultation", pk=consultation.pk)
    return render_page(request, "web/research/consultation_form.html", {"form": form})


@capability_required("record_interviews")
@require_POST
def follow_up_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(StakeholderConsultation, pk=pk)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _detail(request, consultation, form)
    data = form.cleaned_data
    consultation.follow_ups.create(
        action=data["action"].strip(), owner=data["owner"].strip(), due_on=data["due_on"]
    )
    messages.success(request, _("Follow-up added."))
    return redirect("web:consultation", pk=consultation.pk)


@capability_required("record_interviews")
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=pk)
    if follow_up.done_on is None:
        follow_up.done_on = timezone.localdate()
        follow_up.save(update_fields=["done_on"])
        messages.success(request, _("Follow-up marked as done."))
    return redirect("web:consultation", pk=follow_up.consultation_id)
