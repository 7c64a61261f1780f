"""The dashboard's figures, labelled: exact for staff, one disclosure-controlled release for
roles without `view_uncontrolled_aggregates` (partners).

The page, its charts, its map and its CSV downloads all read these tables, so they never
disagree and a withheld figure is withheld everywhere. Never a record, never a link to one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civharm.analysis.dashboard import DashboardFilter, dashboard, unit_records
from civharm.disclosure import ProtectedRelease, TableSpec, protect_counts
from civharm.web.dashboard.labels import DimensionLabels

# Each chart's table and the dimension it breaks the figures down by (() is the total).
TABLE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "by_month": ("month",),
    "by_region": ("region",),
    "by_cercle": ("cercle",),
    "by_actor": ("actor",),
    "by_harm_type": ("harm_type",),
    "by_context": ("context",),
    "totals": (),
}
RELEASE_TABLES = tuple(TableSpec(name, dims) for name, dims in TABLE_DIMENSIONS.items())
# People of one harm type summed over incidents broken down by the harm types they have means
# nothing: that table counts each harm's own people instead (see _people_by_harm_type).
PEOPLE_TABLES = tuple(spec for spec in RELEASE_TABLES if spec.name != "by_harm_type")


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    incidents: int | None  # None: withheld by disclosure control
    people: int | None  # best estimate of people of the measured harm (per harm type there)
    low: int | None = None  # only for readers who see exact figures
    high: int | None = None

    @property
    def withheld(self) -> bool:
        return self.incidents is None or self.people is None


@dataclass(frozen=True)
class DashboardFigures:
    controlled: bool
    threshold: int
    measure: str  # the harm type whose people are counted
    tables: dict[str, tuple[FigureRow, ...]]

    def total(self) -> FigureRow | None:
        rows = self.tables.get("totals", ())
        return rows[0] if rows else None


def small_cell_threshold() -> int:
    return int(settings.CIVHARM.get("SMALL_CELL_THRESHOLD", 5))


def dashboard_figures(
    con: Any, wanted: DashboardFilter, measure: str, *, controlled: bool
) -> DashboardFigures:
    labels = DimensionLabels()
    threshold = small_cell_threshold()
    if controlled:
        tables = _controlled_tables(list(unit_records(con, wanted, harm_type=measure)), measure)
    else:
        tables = _exact_tables(dashboard(con, wanted, harm_type=measure))
    tables["by_month"] = _with_empty_months(tables["by_month"], exact=not controlled)
    labelled = {
        name: _sorted(name, [_figure_row(row, labels.label(name, row["key"])) for row in rows])
        for name, rows in tables.items()
    }
    return DashboardFigures(controlled, threshold, measure, labelled)


def _figure_row(row: Mapping[str, Any], label: str) -> FigureRow:
    return FigureRow(
        key=row["key"],
        label=label,
        incidents=row["incidents"],
        people=row["people"],
        low=row.get("low"),
        high=row.get("high"),
    )


# -- exact figures -------------------------------------------------------------------------


def _exact_tables(result: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    tables = {}
    for name, dims in TABLE_DIMENSIONS.items():
        tables[name] = [
            {
                "key": key_text(row[dims[0]]) if dims else "",
                "incidents": int(row["incidents"] or 0),
                "people": int(row["best"] or 0),
                "low": int(row["low"] or 0),
                "high": int(row["high"] or 0),
            }
            for row in result.get(name, [])
        ]
    return tables


def key_text(value: object) -> str:
    """A dimension value as the tables key it: months as YYYY-MM, missing as ""."""
    if value is None:
        return ""
    text = str(value)
    return text[:7] if len(text) == 10 and text[4] == "-" else text


# -- disclosure-controlled figures ---------------------------------------------------------


def _controlled_tables(
    records: list[dict[str, Any]], measure: str
) -> dict[str, list[dict[str, Any]]]:
    """One release for the incidents, one for the people, withheld together: a people figure
    is shown only when its incidents figure is too (withholding more is always safe)."""
    threshold = small_cell_threshold()
    incidents = protect_counts(records, RELEASE_TABLES, threshold=threshold)
    people = protect_counts(records, PEOPLE_TABLES, measure=measure, threshold=threshold)
    people_by_harm = _people_by_harm_type(records, threshold)
    tables = {}
    for name in TABLE_DIMENSIONS:
        people_cells = _cells(people_by_harm if name == "by_harm_type" else people, name)
        rows = []
        for key, count in _cells(incidents, name).items():
            person_count = people_cells.get(key, 0) if count is not None else None
            rows.append(
                {"key": key_text(key[0]) if key else "", "incidents": count, "people": person_count}
            )
        tables[name] = rows
    if not tables["totals"]:  # nothing selected: an empty release lists no cell
        tables["totals"] = [{"key": "", "incidents": 0, "people": 0}]
    _withhold_measure_like_its_total(tables, measure)
    return tables


def _cells(release: ProtectedRelease, name: str) -> dict[tuple[str, ...], int | None]:
    return {cell.key: cell.value for cell in release.table(name).cells}


def _people_by_harm_type(records: Iterable[Mapping[str, Any]], threshold: int) -> ProtectedRelease:
    """People of each harm type (its own measure); no total across types (their units differ)."""
    per_harm = [
        {"harm_type": harm, "people": int(record.get(harm) or 0)}
        for record in records
        for harm in _as_tuple(record.get("harm_type"))
    ]
    spec = TableSpec("by_harm_type", ("harm_type",))
    return protect_counts(per_harm, (spec,), measure="people", threshold=threshold)


def _withhold_measure_like_its_total(tables: dict[str, list[dict[str, Any]]], measure: str) -> None:
    """The measured harm's row of the harm-type table is the people total of the other
    release: show it only if that total is shown, so one cannot stand in for the other."""
    totals = tables["totals"]
    if totals and totals[0]["people"] is not None:
        return
    for row in tables["by_harm_type"]:
        if row["key"] == measure:
            row["people"] = None


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, tuple | list | frozenset | set):
        return tuple(str(v) for v in value)
    return (str(value),)


def _with_empty_months(rows: list[dict[str, Any]], *, exact: bool) -> list[dict[str, Any]]:
    """Months with no incident between the first and the last, as zeros: a time axis without
    gaps. (A release lists no empty cell; an unlisted cell is zero, so this tells nothing new.)"""
    months = sorted(row["key"] for row in rows if len(row["key"]) == 7)
    if not months:
        return rows
    year, month = int(months[0][:4]), int(months[0][5:7])
    present, filled = set(months), list(rows)
    while f"{year:04d}-{month:02d}" <= months[-1]:
        key = f"{year:04d}-{month:02d}"
        if key not in present:
            zero = {"key": key, "incidents": 0, "people": 0}
            filled.append(zero | ({"low": 0, "high": 0} if exact else {}))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return filled


# -- order ---------------------------------------------------------------------------------


def _sorted(name: str, rows: Sequence[FigureRow]) -> tuple[FigureRow, ...]:
    """Months in time order; other tables largest first. Withheld rows go last, by label:
    ordering them by their hidden value would give that value away."""
    if name == "by_month":
        return tuple(sorted(rows, key=lambda row: row.key))
    shown = [row for row in rows if not row.withheld]
    withheld = [row for row in rows if row.withheld]
    shown.sort(key=lambda row: (-(row.people or 0), -(row.incidents or 0), row.label))
    withheld.sort(key=lambda row: row.label)
    return (*shown, *withheld)
