"""The figures of a brief, protected together as ONE disclosure-controlled release.

Every number a brief prints comes out of `BriefFigures` (a `ProtectedRelease`): incidents,
people harmed (low, best, high), months, alleged actors, interaction contexts, cercles, the
previous period, reports by source type and documented victims. Never hands out an incident,
a person, a name or a place below the cercle.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from civharm.disclosure import (
    SECONDARY,
    ProtectedCell,
    ProtectedRelease,
    ProtectedTable,
    TableSpec,
    protect_counts,
)

PEOPLE_HARMS = ("killed", "injured", "abducted")
INCIDENTS = "incidents"
REPORTS = "reports"
DOCUMENTED = "documented_persons"
CURRENT, PREVIOUS, ESTIMATE = "current", "previous", "estimate"
NONE = ""  # a dimension that does not apply to a record (one cell per table)
UNKNOWN_ACTOR = "unknown"
# Several alleged actors are one category, "fama+jnim" (sorted keys joined): see actor_key.
ACTOR_JOINER = "+"
DIMENSIONS = ("period", "figure", "month", "actor", "context", "cercle", "source_type")
TABLES = (
    TableSpec("key", ("period", "figure")),
    TableSpec("month", ("period", "figure", "month")),
    TableSpec("actor", ("period", "figure", "actor")),
    TableSpec("context", ("period", "figure", "context")),
    TableSpec("cercle", ("period", "figure", "cercle")),
    TableSpec("source_type", ("period", "figure", "source_type")),
)


@dataclass(frozen=True)
class BriefPeriod:
    region_pcode: str
    region_name: str
    date_from: date
    date_to: date
    previous_from: date
    previous_to: date


@dataclass(frozen=True)
class TimeBuckets:
    """The brief's time breakdown: months, or groups of 3 or 6 months from the period's start
    where months would be mostly withheld, or none (`size` 0) for very few incidents."""

    months: tuple[str, ...]  # every month of the period, "YYYY-MM"
    size: int  # months per bucket; 0: no breakdown over time

    @property
    def keys(self) -> tuple[str, ...]:
        """Each bucket's first month."""
        return self.months[:: self.size] if self.size else ()

    def bucket_of(self, month: str) -> str:
        if not self.size or month not in self.months:
            return NONE
        return self.months[self.months.index(month) // self.size * self.size]

    def span(self, key: str) -> tuple[str, str]:
        """First and last month of a bucket."""
        start = self.months.index(key)
        return key, self.months[min(start + self.size, len(self.months)) - 1]


BUCKET_SIZES = (1, 3, 6)
# Buckets must hold twice the threshold on average: at the threshold itself about half of them
# are small cells, each withheld with a complement, and the period's totals soon with them.
AVERAGE_PER_THRESHOLD = 2


def choose_time_buckets(months: Sequence[str], incidents: int, threshold: int) -> TimeBuckets:
    """The finest breakdown whose buckets hold twice `threshold` incidents on average: finer
    ones would be mostly withheld (and would force the period's own totals to be withheld)."""
    for size in BUCKET_SIZES:
        buckets = math.ceil(len(months) / size)
        if incidents >= AVERAGE_PER_THRESHOLD * threshold * buckets:
            return TimeBuckets(tuple(months), size)
    return TimeBuckets(tuple(months), 0)


def _blank(period: str, figure: str, value: int) -> dict[str, Any]:
    record: dict[str, Any] = dict.fromkeys(DIMENSIONS, NONE)
    return record | {"period": period, "figure": figure, "value": value}


def actor_key(actors: Iterable[str]) -> str:
    """The incident's alleged actors as ONE value: the actor table is a partition that adds up
    to the total. Counting an incident under each of its actors would publish A, B and the
    total, and A + B − total is the number of incidents of both, a cell no one checked."""
    return ACTOR_JOINER.join(sorted(set(actors))) or UNKNOWN_ACTOR


def incident_records(
    incidents: Iterable[Mapping[str, Any]], buckets: TimeBuckets
) -> Iterator[dict[str, Any]]:
    """Unit records for protect_counts: per incident, one record counting it and one per
    harm type with its best count (with the incident's month, actors, context and cercle);
    its low and high counts only in the key figures (they need no breakdown). An incident of
    the previous period keeps its context only: the brief compares contexts, nothing else.

    Every dimension has one value per record, so each table is a partition of its total.
    Harm types are not a dimension but the `figure`: a harm record carries its people, never
    an incident, so no table counts incidents per harm type beside the incidents' total."""
    for incident in incidents:
        period = incident["period"]
        dims = {
            "month": buckets.bucket_of(incident["month"]) if period == CURRENT else NONE,
            "actor": actor_key(incident["actors"]),
            "context": incident["context"] or "unknown",
            "cercle": incident["cercle"] if period == CURRENT else NONE,
        }
        if period == PREVIOUS:
            dims["actor"] = NONE
        yield _blank(period, INCIDENTS, 1) | dims
        for harm, (low, best, high) in incident["harm"].items():
            if best:
                yield _blank(period, harm, best) | dims
            if low:
                yield _blank(period, f"{harm}_low", low)
            if high:
                yield _blank(period, f"{harm}_high", high)


def report_records(counts: Mapping[str, int]) -> Iterator[dict[str, Any]]:
    """Reports linked to the brief's incidents, by source type (one record per report)."""
    for source_type, count in counts.items():
        for _ in range(count):
            yield _blank(CURRENT, REPORTS, 1) | {"source_type": source_type}


def documented_record(documented: int | None) -> Iterator[dict[str, Any]]:
    """The documented victims of the region's estimate: a published count like any other."""
    if documented:
        yield _blank(ESTIMATE, DOCUMENTED, documented)


@dataclass(frozen=True)
class BriefFigures:
    """The brief's one release, with lookups by what the brief wants to print."""

    release: ProtectedRelease
    buckets: TimeBuckets

    @property
    def threshold(self) -> int:
        return self.release.threshold

    def key(self, figure: str, period: str = CURRENT) -> int | None:
        return self.release.table("key").value(period, figure)

    def by(self, table: str, figure: str, value: str, period: str = CURRENT) -> int | None:
        return self.release.table(table).value(period, figure, value)

    def values_of(self, table: str, period: str = CURRENT) -> list[str]:
        """The values of a table's last dimension that have any cell in the period."""
        cells = self.release.table(table).cells
        return sorted({c.key[2] for c in cells if c.key[0] == period and c.key[2] != NONE})

    @property
    def suppressed(self) -> int:
        return self.release.suppressed_count


def protect_brief(
    records: Iterable[Mapping[str, Any]], buckets: TimeBuckets, threshold: int
) -> BriefFigures:
    """Protect all the brief's tables together. A cell not in the release is zero."""
    release = protect_counts(records, TABLES, measure="value", threshold=threshold)
    return BriefFigures(_without_ranges_of_withheld_bests(release), buckets)


RANGE_SUFFIXES = ("_low", "_high")


def _without_ranges_of_withheld_bests(release: ProtectedRelease) -> ProtectedRelease:
    """The release with every low and high count withheld where its best count is.

    low <= best <= high: a shown low and high would bound a withheld best (both equal to it
    when the sources agree), and protect_counts cannot see that, for it knows nothing of how
    the figures relate. Withholding them in the release itself, not only in what the brief
    prints, keeps any later caller from printing them. Withholding more than protect_counts
    asked never lets a withheld figure be worked out."""
    key = release.table("key")
    withheld_bests = {cell.key[:2] for cell in key.cells if cell.suppressed}

    def withheld(cell: ProtectedCell) -> bool:
        period, figure = cell.key[0], cell.key[1]
        for suffix in RANGE_SUFFIXES:
            if figure.endswith(suffix) and (period, figure[: -len(suffix)]) in withheld_bests:
                return True
        return False

    def table(protected: ProtectedTable) -> ProtectedTable:
        cells = tuple(
            ProtectedCell(cell.key, None, SECONDARY) if withheld(cell) else cell
            for cell in protected.cells
        )
        return replace(protected, cells=cells)

    tables = {name: table(protected) for name, protected in release.tables.items()}
    return replace(release, tables=tables)
