"""The training pages' own menu, each link shown only to roles whose capability opens it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

LINKS = [
    ("web:training", _("Overview"), "view_training"),
    ("web:training_sessions", _("Sessions"), "view_training"),
    ("web:training_partners", _("Partners"), "view_training"),
    ("web:training_gain", _("Knowledge gain"), "view_training"),
    ("web:training_scenarios", _("Scenarios"), "view_training"),
    ("web:training_effect", _("Effect on harm"), "view_training"),
]


def training_links(request: HttpRequest) -> list[dict[str, Any]]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label, capability in LINKS
        if request.user.can(capability)  # type: ignore[union-attr]
    ]


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """render() with the training menu and the user's training rights added."""
    user = request.user
    rights = {
        "can_manage": user.can("manage_training"),  # type: ignore[union-attr]
        "can_reveal": user.can("view_participant_identities"),  # type: ignore[union-attr]
    }
    context = {**rights, **context, "training_links": training_links(request)}
    return render(request, template, context, status=status)
