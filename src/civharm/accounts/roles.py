"""Roles and what each may do. Data, not scattered checks: views, the API and commands ask
`can(role, capability)`; a capability missing here is denied.

Partners see aggregates only: never a row about one incident's persons, never a name.
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

_ALL = frozenset(ROLES)
_STAFF = _ALL - {"partner"}
_ANALYSIS = frozenset({"administrator", "analyst"})

# capability -> roles that have it
GRANTS: dict[str, frozenset[str]] = {
    # The dashboard's counts and charts: partners get them only through disclosure control
    # (small cells and what would give them away suppressed); staff see them exactly.
    "view_aggregates": _ALL,
    "view_uncontrolled_aggregates": _STAFF,
    "view_incidents": _STAFF,  # incident rows, reports, counts, places
    "view_persons": frozenset(
        {"administrator", "analyst", "field_researcher", "assistance_officer"}
    ),
    "view_identities": frozenset({"administrator", "analyst", "assistance_officer"}),
    "file_report": frozenset({"administrator", "analyst", "field_researcher"}),
    "import": frozenset({"administrator", "analyst", "field_researcher"}),
    # Multiple systems estimates by stratum: aggregates, but not yet disclosure-controlled.
    "view_estimates": _STAFF,
    "run_estimates": _ANALYSIS,
    # Who harms whom in which interaction: the material trainers build modules from.
    "view_patterns": _STAFF,
    "view_recommendations": _STAFF,
    "manage_recommendations": frozenset({"administrator", "analyst", "advocacy_officer"}),
    "make_briefs": frozenset({"administrator", "analyst", "advocacy_officer"}),
    # Research (interviews and consultations): narratives and interviewees' identities are
    # protected like victims'; partners and trainers see findings only.
    "view_interviews": frozenset({"administrator", "analyst", "field_researcher"}),
    "record_interviews": frozenset({"administrator", "analyst", "field_researcher"}),
    "code_interviews": _ANALYSIS,
    "manage_codebook": _ANALYSIS,
    "approve_quotes": frozenset({"administrator", "analyst", "advocacy_officer"}),
    "withdraw_consent": frozenset({"administrator", "analyst", "field_researcher"}),
    "view_findings": _STAFF,
    # Training of the armed forces: participants are soldiers identified by a service number,
    # protected like a name; trainers run sessions, analysts read the effect on harm.
    "view_training": _STAFF,
    "manage_training": frozenset({"administrator", "analyst", "trainer"}),
    "view_participant_identities": frozenset({"administrator", "trainer"}),
    "review": _ANALYSIS,  # assign, comment, grade, approve
    "export_records": _ANALYSIS,
    "export_identities": _ANALYSIS,
    "audit": frozenset({"administrator"}),
    "manage_users": frozenset({"administrator"}),
    "backup": frozenset({"administrator"}),
}
CAPABILITIES: dict[str, frozenset[str]] = {
    role: frozenset(cap for cap, roles in GRANTS.items() if role in roles) for role in ROLES
}


def can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def requires_two_factor(role: str) -> bool:
    """Every role that can see identities (victims', soldiers' service numbers) or read
    interviews (narratives name people) must log in with a second factor."""
    return any(
        can(role, capability)
        for capability in ("view_identities", "view_participant_identities", "view_interviews")
    )
