"""The dashboard's figures, labelled: exact and filtered for staff; for roles without
`view_uncontrolled_aggregates` (partners), the cells of the one published release of the whole
register (civharm.analysis.published), never a release of their own.

The page, its charts, its map and its CSV downloads all read these tables, so they never
disagree and a withheld figure is withheld everywhere. Never a record, never a link to one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civharm.analysis.dashboard import DASHBOARD_TABLES, DashboardFilter, dashboard
from civharm.analysis.published import (
    DOCUMENTED,
    INCIDENTS,
    partner_release,
    published_figures,
    published_value,
    table_name,
)
from civharm.disclosure import ProtectedRelease
from civharm.web.dashboard.labels import DimensionLabels

# Each chart's table and the dimension it breaks the figures down by (() is the total).
TABLE_DIMENSIONS: dict[str, tuple[str, ...]] = DASHBOARD_TABLES
PARTNER_MEASURE = "killed"  # partners choose nothing: their charts count people killed


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    incidents: int | None  # None: withheld by disclosure control
    people: int | None  # best estimate of people of the measured harm (per harm type there)
    low: int | None = None  # only for readers who see exact figures
    high: int | None = None
    # False where the row has no incidents figure at all (partners' harm-type totals: the
    # release holds people per harm type, not incidents with each harm).
    incidents_counted: bool = True

    @property
    def withheld(self) -> bool:
        return (self.incidents_counted and self.incidents is None) or self.people is None


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
    """Staff: the exact figures of the filtered selection. Partners: the published release
    (`wanted` and `measure` are then ignored: partners get no filters)."""
    if controlled:
        return partner_figures(partner_release())
    labels = DimensionLabels()
    tables = _exact_tables(dashboard(con, wanted, harm_type=measure))
    tables["by_month"] = _with_empty_months(tables["by_month"], exact=True)
    labelled = {
        name: _sorted(name, [_figure_row(row, labels.label(name, row["key"])) for row in rows])
        for name, rows in tables.items()
    }
    return DashboardFigures(False, small_cell_threshold(), measure, labelled)


def _figure_row(row: Mapping[str, Any], label: str) -> FigureRow:
    return FigureRow(
        key=row["key"],
        label=label,
        incidents=row["incidents"],
        people=row["people"],
        low=row.get("low"),
        high=row.get("high"),
        incidents_counted=row.get("counted", True),
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


# -- partners: the published release -------------------------------------------------------

# The release's dimension behind each chart's table (civharm.analysis.published).
RELEASE_DIMENSION = {
    "by_month": "month",
    "by_region": "region",
    "by_cercle": "cercle",
    "by_actor": "actor",
    "by_context": "context",
}


def partner_figures(release: ProtectedRelease, measure: str = PARTNER_MEASURE) -> DashboardFigures:
    """Every table of the page as cells of the one partner release: nothing filtered,
    nothing protected again (a second release of the same records could undo the first)."""
    labels = DimensionLabels()
    tables = {
        name: _release_rows(release, dimension, measure)
        for name, dimension in RELEASE_DIMENSION.items()
    }
    tables["totals"] = [
        {
            "key": "",
            "incidents": published_value(release, INCIDENTS),
            "people": published_value(release, measure),
        }
    ]
    tables["by_harm_type"] = [
        {"key": harm, "incidents": None, "people": published_value(release, harm), "counted": False}
        for harm in published_figures(release)
        if harm not in (INCIDENTS, DOCUMENTED)
    ]
    tables["by_month"] = _with_empty_months(tables["by_month"], exact=False)
    labelled = {
        name: _sorted(name, [_figure_row(row, labels.label(name, row["key"])) for row in rows])
        for name, rows in tables.items()
    }
    return DashboardFigures(True, release.threshold, measure, labelled)


def _release_rows(release: ProtectedRelease, dimension: str, measure: str) -> list[dict[str, Any]]:
    """One row per cell of the incidents figure along `dimension`, with its people cell."""
    rows = []
    for cell in release.table(table_name(dimension)).cells:
        figure, key = cell.key
        if figure != INCIDENTS:
            continue
        people = published_value(release, measure, dimension, key)
        rows.append({"key": key_text(key), "incidents": cell.value, "people": people})
    return rows


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
