"""Disclosure control: nothing that leaves for a partner or the public may point at a person.

Small-cell and secondary suppression of every table of a release together, an exact audit of
what can be worked out from it, and k-anonymity for record-level extracts. Pure Python
(numpy/scipy); never imports Django and never returns the value of a withheld cell.
See docs/disclosure.md for the protection criterion and what the attacker is assumed to know.
"""

from civharm.disclosure.audit import assert_release_is_safe, audit_release
from civharm.disclosure.kanonymity import (
    DEFAULT_HIERARCHIES,
    Hierarchy,
    KAnonymityReport,
    age_hierarchy,
    check_k_anonymity,
    date_hierarchy,
    k_anonymise,
    place_hierarchy,
)
from civharm.disclosure.suppression import protect_counts
from civharm.disclosure.tables import (
    PRIMARY,
    SECONDARY,
    SHOWN,
    SUPPRESSED_LABEL,
    SUPPRESSED_MARK,
    SUPPRESSION_NOTE,
    DisclosureError,
    ProtectedCell,
    ProtectedRelease,
    ProtectedTable,
    TableSpec,
    UnsafeReleaseError,
)

__all__ = [
    "DEFAULT_HIERARCHIES",
    "PRIMARY",
    "SECONDARY",
    "SHOWN",
    "SUPPRESSED_LABEL",
    "SUPPRESSED_MARK",
    "SUPPRESSION_NOTE",
    "DisclosureError",
    "Hierarchy",
    "KAnonymityReport",
    "ProtectedCell",
    "ProtectedRelease",
    "ProtectedTable",
    "TableSpec",
    "UnsafeReleaseError",
    "age_hierarchy",
    "assert_release_is_safe",
    "audit_release",
    "check_k_anonymity",
    "date_hierarchy",
    "k_anonymise",
    "place_hierarchy",
    "protect_counts",
]
