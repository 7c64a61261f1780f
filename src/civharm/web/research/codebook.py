"""Pages: the codebook (themes by group; analysts add themes) and inter-coder agreement
(Cohen's kappa per double-coded interview, and their mean, with how to read it).

Themes and agreement figures only: no narrative, no excerpt text, no name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civharm.accounts.permissions import capability_required
from civharm.research.models import THEME_GROUPS, Theme
from civharm.web.research.agreement_rows import agreement_rows, kappa_reading
from civharm.web.research.forms import ThemeForm
from civharm.web.research.navigation import render_page


def _groups() -> list[dict[str, Any]]:
    language = get_language() or "fr"
    themes = Theme.objects.annotate(excerpt_count=Count("excerpts")).order_by("group", "key")
    by_group: dict[str, list[Theme]] = {}
    for theme in themes:
        theme.shown_label = theme.label(language)
        by_group.setdefault(theme.group, []).append(theme)
    return [
        {"key": key, "label": label, "themes": by_group[key]}
        for key, label in THEME_GROUPS
        if key in by_group
    ]


@capability_required("view_interviews")
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest) -> HttpResponse:
    can_manage = request.user.can("manage_codebook")
    form = ThemeForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            theme = Theme.objects.create(
                **{k: v.strip() if isinstance(v, str) else v for k, v in form.cleaned_data.items()},
                created_by=request.user.get_username(),
            )
            messages.success(request, _("Theme “{key}” added.").format(key=theme.key))
            return redirect("web:codebook")
    context = {"groups": _groups(), "form": form, "can_manage": can_manage}
    return render_page(request, "web/research/codebook.html", context)


@capability_required("view_interviews")
@require_GET
def agreement(request: HttpRequest) -> HttpResponse:
    rows, mean = agreement_rows()
    context = {
        "rows": rows,
        "mean": mean,
        "mean_reading": kappa_reading(mean) if mean is not None else "",
    }
    return render_page(request, "web/research/agreement.html", context)
