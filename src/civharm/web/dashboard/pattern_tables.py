"""Interaction patterns of one actor (or category) for training: which contexts led to which
harms, year by year, and where. Exact for staff pages; one disclosure-controlled release
(per measure: incidents, people) for anything that leaves the system.

Counts and category keys only: never a record, a date of one incident or a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from civharm.analysis.dashboard import (
    DashboardFilter,
    aggregate,
    interaction_patterns,
    unit_records,
)
from civharm.disclosure import ProtectedRelease, TableSpec, protect_counts

TOP_CERCLES = 10
INCIDENT_TABLES = (
    TableSpec("context_harm", ("context", "harm_type")),
    TableSpec("year_context", ("year", "context")),
    TableSpec("by_cercle", ("cercle",)),
    TableSpec("by_context", ("context",)),
    TableSpec("by_harm_type", ("harm_type",)),
    TableSpec("by_year", ("year",)),
    TableSpec("total", ()),
)
# People are counted per harm type (their units differ): no total across harm types.
PEOPLE_TABLES = (
    TableSpec("context_harm", ("context", "harm_type")),
    TableSpec("by_harm_type", ("harm_type",)),
)


@dataclass(frozen=True)
class PatternTables:
    controlled: bool
    threshold: int
    # {(context, harm_type): (incidents, people)}; None where withheld
    context_harm: dict[tuple[str, str], tuple[int | None, int | None]]
    year_context: dict[tuple[str, str], int | None]  # {(year, context): incidents}
    cercles: list[tuple[str, int | None]]  # the cercles with most incidents, withheld last
    withheld: int

    @property
    def contexts(self) -> list[str]:
        return sorted({key[0] for key in self.context_harm} | {key[1] for key in self.year_context})

    @property
    def harm_types(self) -> list[str]:
        return sorted({key[1] for key in self.context_harm})

    @property
    def years(self) -> list[str]:
        return sorted({key[0] for key in self.year_context})


def _text(value: object) -> str:
    return "" if value is None else str(value)


def exact_patterns(con: Any, wanted: DashboardFilter, threshold: int) -> PatternTables:
    actor = {"actor": wanted.actor, "actor_category": wanted.actor_category}
    context_harm: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in interaction_patterns(con, wanted, **actor):
        cell = context_harm[(_text(row["context"]), _text(row["harm_type"]))]
        cell[0] += row["incidents"]
        cell[1] += row["best"]
    year_context = {
        (_text(row["year"]), _text(row["context"])): row["incidents"]
        for row in aggregate(con, wanted, ("year", "context"))
    }
    cercles = [
        (_text(row["cercle"]), row["incidents"])
        for row in aggregate(con, wanted, ("cercle",))
        if row["cercle"]
    ]
    cercles.sort(key=lambda item: (-(item[1] or 0), item[0]))
    return PatternTables(
        controlled=False,
        threshold=threshold,
        context_harm={key: (value[0], value[1]) for key, value in context_harm.items()},
        year_context=year_context,
        cercles=cercles[:TOP_CERCLES],
        withheld=0,
    )


def controlled_patterns(con: Any, wanted: DashboardFilter, threshold: int) -> PatternTables:
    """One release for the incidents, one for the people; a people figure is shown only with
    its incidents figure (withholding more never makes a release less safe)."""
    records = list(unit_records(con, wanted))
    incidents = protect_counts(records, INCIDENT_TABLES, threshold=threshold)
    people = protect_counts(
        _per_harm(records), PEOPLE_TABLES, measure="people", threshold=threshold
    )
    people_cells = _cells(people, "context_harm")
    context_harm = {}
    for key, count in _cells(incidents, "context_harm").items():
        if key[1]:  # incidents with no harm recorded are not a pattern of harm
            context_harm[(key[0], key[1])] = (
                count,
                people_cells.get(key, 0) if count is not None else None,
            )
    year_context = {
        (key[0], key[1]): count for key, count in _cells(incidents, "year_context").items()
    }
    cercles = [(key[0], count) for key, count in _cells(incidents, "by_cercle").items() if key[0]]
    shown = sorted((c for c in cercles if c[1] is not None), key=lambda c: (-(c[1] or 0), c[0]))
    withheld = sorted(c for c in cercles if c[1] is None)  # by P-code: never by hidden value
    return PatternTables(
        controlled=True,
        threshold=threshold,
        context_harm=context_harm,
        year_context=year_context,
        cercles=(shown + withheld)[:TOP_CERCLES],
        withheld=incidents.suppressed_count + people.suppressed_count,
    )


def _per_harm(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"context": record["context"], "harm_type": harm, "people": int(record.get(harm) or 0)}
        for record in records
        for harm in record["harm_type"]
        if harm
    ]


def _cells(release: ProtectedRelease, name: str) -> dict[tuple[str, ...], int | None]:
    return {cell.key: cell.value for cell in release.table(name).cells}
