"""The research pages' own menu (interviews, consultations, codebook, agreement, quotes,
findings), each link shown only to roles whose capability opens it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

LINKS = [
    ("web:interviews", _("Interviews"), "view_interviews"),
    ("web:consultations", _("Consultations"), "view_interviews"),
    ("web:codebook", _("Codebook"), "view_interviews"),
    ("web:agreement", _("Coder agreement"), "view_interviews"),
    ("web:quotes", _("Quotes"), "approve_quotes"),
    ("web:findings", _("Findings"), "view_findings"),
]


def research_links(request: HttpRequest) -> list[dict[str, Any]]:
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"url": reverse(name), "label": label, "active": name == current}
        for name, label, capability in LINKS
        if request.user.can(capability)
    ]


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """render() with the research menu added."""
    return render(
        request, template, {**context, "research_links": research_links(request)}, status=status
    )
