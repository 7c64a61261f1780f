"""Template context shared by every page: the navigation the user's role may see."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, capability)
NAVIGATION = [
    ("web:home", _("Overview"), "view_aggregates"),
    ("web:incidents", _("Register"), "view_incidents"),
    ("web:report_new", _("New report"), "file_report"),
    ("web:import_upload", _("Import a file"), "import"),
    ("web:linkage_queue", _("Linkage review"), "review"),
    ("web:dashboard", _("Dashboard"), "view_aggregates"),
    ("web:patterns", _("Patterns"), "view_patterns"),
    ("web:estimates", _("Estimates"), "view_estimates"),
    ("web:interviews", _("Interviews"), "view_interviews"),
    ("web:findings", _("Findings"), "view_findings"),
    ("web:training", _("Training"), "view_training"),
    ("web:recommendations", _("Recommendations"), "view_recommendations"),
    ("web:briefs", _("Briefs"), "make_briefs"),
    ("web:audit", _("Audit trail"), "audit"),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {"navigation": []}
    items = []
    for name, label, capability in NAVIGATION:
        if user.can(capability):  # type: ignore[union-attr]
            try:
                items.append(
                    {
                        "url": reverse(name),
                        "label": label,
                        "active": request.resolver_match
                        and request.resolver_match.view_name == name,
                    }
                )
            except NoReverseMatch:  # a page not built yet is simply not shown
                continue
    return {"navigation": items}
