"""Pages of the recommendations tracker: list with counts per status, one recommendation (its
status history and evidence), new, edit, and recording a status.

Staff read; administrators, analysts and advocacy officers change. Evidence shows incidents by
code only, never a person.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civharm.accounts.permissions import capability_required
from civharm.advocacy.models import Recommendation
from civharm.advocacy.recommendations import (
    RecommendationError,
    create_recommendation,
    record_status,
    status_counts,
    update_recommendation,
    with_current_status,
)
from civharm.web.recommendations.forms import FilterForm, RecommendationForm, StatusForm


def _status_links(counts: list[tuple[str, str, int]], addressee: str) -> list[dict[str, Any]]:
    """One link per status (with its count) keeping the addressee filter."""
    links = []
    for key, label, count in counts:
        query = urlencode({k: v for k, v in (("addressee", addressee), ("status", key)) if v})
        links.append({"status": key, "label": label, "count": count, "query": query})
    return links


@require_GET
@capability_required("view_recommendations")
def recommendation_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    queryset = Recommendation.objects.all()
    if chosen.get("addressee"):
        queryset = queryset.filter(addressee=chosen["addressee"])
    counts = status_counts(queryset)
    rows = with_current_status(queryset).order_by("-made_on", "-id")
    if chosen.get("status"):
        rows = rows.filter(current=chosen["status"])
    labels = {key: label for key, label, _count in counts}
    recommendations = list(rows)
    for row in recommendations:
        row.current_label = labels.get(row.current, "")
    context = {
        "form": form,
        "status_links": _status_links(counts, chosen.get("addressee", "")),
        "total": sum(n for _key, _label, n in counts),
        "recommendations": recommendations,
        "chosen_status": chosen.get("status", ""),
        "can_manage": request.user.can("manage_recommendations"),
    }
    return render(request, "web/recommendations/list.html", context)


def _detail_context(request: HttpRequest, recommendation: Recommendation) -> dict[str, Any]:
    history = list(recommendation.status_history.all())
    return {
        "recommendation": recommendation,
        "history": history,
        "current": history[-1] if history else None,
        "incidents": recommendation.incidents.order_by("id"),
        "estimate_runs": recommendation.estimate_runs.all(),
        "briefs": recommendation.briefs.all(),
        "figures": recommendation.figures.all(),
        "can_manage": request.user.can("manage_recommendations"),
        "can_view_incidents": request.user.can("view_incidents"),
        "can_view_estimates": request.user.can("view_estimates"),
    }


@require_GET
@capability_required("view_recommendations")
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    context = _detail_context(request, recommendation)
    context["status_form"] = StatusForm()
    return render(request, "web/recommendations/detail.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("manage_recommendations")
def recommendation_new(request: HttpRequest) -> HttpResponse:
    form = RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.user.get_username()
        recommendation = create_recommendation(form.recommendation_input(), actor=actor)
        messages.success(request, _("Recommendation recorded."))
        return redirect("web:recommendation", pk=recommendation.pk)
    context = {"form": form, "recommendation": None}
    return render(request, "web/recommendations/form.html", context)


@require_http_methods(["GET", "POST"])
@capability_required("manage_recommendations")
def recommendation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    if request.method != "POST":
        initial = RecommendationForm.initial_for(recommendation)
        form = RecommendationForm(initial=initial, recommendation=recommendation)
        return render(
            request,
            "web/recommendations/form.html",
            {"form": form, "recommendation": recommendation},
        )
    form = RecommendationForm(request.POST, recommendation=recommendation)
    if not form.is_valid():
        return render(
            request,
            "web/recommendations/form.html",
            {"form": form, "recommendation": recommendation},
        )
    actor = request.user.get_username()
    changed = update_recommendation(recommendation, form.recommendation_input(), actor=actor)
    if changed:
        messages.success(request, _("Recommendation updated."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("web:recommendation", pk=recommendation.pk)


@capability_required("manage_recommendations")
@require_POST
def recommendation_status(request: HttpRequest, pk: int) -> HttpResponse:
    recommendation = get_object_or_404(Recommendation, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_status(
                recommendation,
                data["status"],
                data["on"],
                actor=request.user.get_username(),
                note=data["note"].strip(),
            )
        except RecommendationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Status recorded."))
            return redirect("web:recommendation", pk=recommendation.pk)
    context = _detail_context(request, recommendation)
    context["status_form"] = form
    return render(request, "web/recommendations/detail.html", context)
