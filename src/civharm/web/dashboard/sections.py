"""What each dashboard chart shows: its title, SVG, table and the map's classes.

Reads the already-labelled (and, for partners, already-protected) figures only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from civharm.analysis.dashboard_charts import Bar, horizontal_bars_svg, monthly_columns_svg
from civharm.web.dashboard.tables import DashboardFigures, FigureRow

MAP_CLASSES = 5  # colour classes of cercles with harm (class 0 is "none")
CHARTS = ("by_month", "by_region", "by_cercle", "by_actor", "by_harm_type", "by_context")


@dataclass(frozen=True)
class ChartSection:
    name: str
    title: str
    svg: str
    rows: tuple[FigureRow, ...]
    note: str = ""


def chart_titles(harm: str, *, controlled: bool = False) -> dict[str, str]:
    titles = {
        "by_month": _("{harm} by month (best estimate)").format(harm=harm),
        "by_region": _("{harm} by region").format(harm=harm),
        "by_cercle": _("{harm} by cercle").format(harm=harm),
        "by_actor": _("{harm} by alleged actor").format(harm=harm),
        "by_harm_type": _("Incidents by harm type"),
        "by_context": _("{harm} by interaction context").format(harm=harm),
    }
    if controlled:
        titles["by_harm_type"] = _("People by harm type (best estimate)")
    return titles


def chart_notes(*, controlled: bool = False) -> dict[str, str]:
    if controlled:  # partners: the published release, where each incident counts once
        return {
            "by_actor": _(
                "An incident with several alleged actors counts once, under all of them together."
            ),
            "by_harm_type": _("People of each harm type in the whole register."),
        }
    return {
        "by_actor": _("An incident with several alleged actors counts for each of them."),
        "by_harm_type": _(
            "An incident with several harms counts for each; people are counted per harm type."
        ),
    }


def chart_sections(figures: DashboardFigures, harm: str) -> list[ChartSection]:
    controlled = figures.controlled
    titles, notes = chart_titles(harm, controlled=controlled), chart_notes(controlled=controlled)
    sections = []
    for name in CHARTS:
        rows = figures.tables.get(name, ())
        svg = _svg(name, rows, titles[name], controlled=controlled)
        sections.append(ChartSection(name, titles[name], svg, rows, notes.get(name, "")))
    return sections


def _svg(name: str, rows: tuple[FigureRow, ...], title: str, *, controlled: bool) -> str:
    if not rows or name == "by_cercle":  # the cercles are drawn as a map
        return ""
    if name == "by_month":
        return monthly_columns_svg([Bar(row.key, _shown(row, "people")) for row in rows], title)
    # Staff's harm-type chart counts incidents; partners' release holds people per harm type.
    measure = "incidents" if name == "by_harm_type" and not controlled else "people"
    return horizontal_bars_svg([Bar(row.label, _shown(row, measure)) for row in rows], title)


def _shown(row: FigureRow, measure: str) -> int | None:
    return None if row.withheld else getattr(row, measure)


# -- the cercle map ------------------------------------------------------------------------


def _class_breaks(values: list[int]) -> list[int]:
    """Upper bounds of up to five classes, from the shown values' quantiles."""
    distinct = sorted(set(values))
    if not distinct:
        return []
    picks = {
        distinct[min(len(distinct) - 1, (len(distinct) * i) // MAP_CLASSES)]
        for i in range(1, MAP_CLASSES)
    }
    return sorted(picks | {distinct[-1]})


def choropleth(figures: DashboardFigures, harm: str) -> dict[str, Any]:
    """Data for choropleth.js (a JSON script element: the page runs no inline script) and
    the legend the template draws: each cercle's class and its tooltip text."""
    rows = figures.tables.get("by_cercle", ())
    breaks = _class_breaks([row.people for row in rows if not row.withheld and row.people])
    cercles: dict[str, dict[str, Any]] = {}
    for row in rows:
        if not row.key:
            continue
        cercles[row.key] = {"class": _map_class(row, breaks), "text": _tooltip(row, harm)}
    return {
        "cercles": cercles,
        "legend": _legend(breaks),
        "withheld": any(r.withheld for r in rows),
    }


def _map_class(row: FigureRow, breaks: list[int]) -> str:
    if row.withheld:
        return "withheld"
    if not row.people:
        return "0"
    return str(next(i for i, top in enumerate(breaks, start=1) if row.people <= top))


def _tooltip(row: FigureRow, harm: str) -> str:
    if row.withheld:
        return _("{harm}: — (withheld by disclosure control)").format(harm=harm)
    return _("{harm}: {people}; incidents: {incidents}").format(
        harm=harm,
        people=number_format(row.people or 0, force_grouping=True),
        incidents=number_format(row.incidents or 0, force_grouping=True),
    )


def _legend(breaks: list[int]) -> list[tuple[str, str]]:
    legend, low = [("0", "0")], 1
    for index, top in enumerate(breaks, start=1):
        legend.append((str(index), f"{low}–{top}" if top > low else str(top)))
        low = top + 1
    return legend
