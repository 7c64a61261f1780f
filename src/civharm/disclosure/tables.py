"""The shapes of a disclosure-controlled release: what is asked for and what may be shown.

Plain frozen dataclasses at the package boundary. A suppressed cell carries no value here,
so nothing downstream can print it by mistake; never add the true value of a suppressed cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from civharm.core.i18n import N_

SHOWN = "shown"
PRIMARY = "primary"  # a small count (1 .. threshold-1)
SECONDARY = "secondary"  # withheld so that a small count cannot be worked out
STATUSES = (SHOWN, PRIMARY, SECONDARY)

# Both kinds of suppression must look the same to a reader: telling them apart would say
# which withheld cells are small (see docs/disclosure.md, "What must not be published").
SUPPRESSED_MARK = "—"
SUPPRESSED_LABEL = N_("withheld")
SUPPRESSION_NOTE = N_(
    "— : figure withheld so that no one can be identified: it is below {threshold}, "
    "or showing it would let such a figure be worked out from the others."
)


@dataclass(frozen=True)
class TableSpec:
    """One table of a release: `dimensions` () is the grand total."""

    name: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class ProtectedCell:
    """`value` is None when the cell is suppressed. `status` is internal: publish only
    "shown" or "suppressed", never which kind of suppression it was."""

    key: tuple[str, ...]
    value: int | None
    status: str

    @property
    def suppressed(self) -> bool:
        return self.status != SHOWN


@dataclass(frozen=True)
class ProtectedTable:
    """The cells of one table. A cell that is not listed is zero (that is also how a
    reader understands it, and the audit assumes the reader does)."""

    spec: TableSpec
    cells: tuple[ProtectedCell, ...]

    def cell(self, *key: str) -> ProtectedCell | None:
        wanted = tuple(key)
        for candidate in self.cells:
            if candidate.key == wanted:
                return candidate
        return None

    def value(self, *key: str) -> int | None:
        """The value to publish: None when suppressed, 0 for a cell with nothing in it."""
        if len(key) != len(self.spec.dimensions):
            raise KeyError(f"{self.spec.name} has dimensions {self.spec.dimensions}, got {key!r}")
        found = self.cell(*key)
        return 0 if found is None else found.value

    @property
    def suppressed_count(self) -> int:
        return sum(1 for each in self.cells if each.suppressed)


@dataclass(frozen=True)
class ProtectedRelease:
    """Every table of one output (a dashboard view, a brief, an export), protected together."""

    threshold: int
    tables: dict[str, ProtectedTable]

    def table(self, name: str) -> ProtectedTable:
        return self.tables[name]

    @property
    def suppressed_count(self) -> int:
        return sum(table.suppressed_count for table in self.tables.values())


class DisclosureError(ValueError):
    """The records or the table specifications cannot be protected as given."""


class UnsafeReleaseError(AssertionError):
    """A release would show a small cell or let a withheld cell be worked out."""
