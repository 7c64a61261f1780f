"""Roles and what each may do. Data, not scattered checks: views and commands ask `can()`.

A capability missing here is denied.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ROLES = {
    "administrator": _("Administrator"),
    "analyst": _("Analyst"),
    "field_researcher": _("Field researcher"),
    "trainer": _("Trainer"),
    "advocacy_officer": _("Advocacy officer"),
    "assistance_officer": _("Assistance officer"),
    "partner": _("Partner (aggregates only)"),
}

CAPABILITIES: dict[str, frozenset[str]] = {
    "administrator": frozenset(
        {"import", "export_records", "view_identities", "export_identities", "backup", "audit"}
    ),
    "analyst": frozenset({"import", "export_records", "view_identities", "export_identities"}),
    "field_researcher": frozenset({"import", "export_records"}),
    "trainer": frozenset(),
    "advocacy_officer": frozenset(),
    "assistance_officer": frozenset({"view_identities"}),
    "partner": frozenset(),
}


def can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
