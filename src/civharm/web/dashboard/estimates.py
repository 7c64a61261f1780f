"""Documented vs estimated totals on the dashboard: the latest complete estimate run.

For readers without exact figures, a stratum is shown only when its documented count passes
disclosure control (with the run's total, so no stratum can be worked out by subtraction);
its model notes and warnings, which may quote small counts, are not shown to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civharm.analysis.charts import documented_vs_estimated_svg
from civharm.analysis.figures import estimate_figures, method_label
from civharm.analysis.models import EstimateRun
from civharm.disclosure import TableSpec, protect_counts

ESTIMATE_TABLES = (TableSpec("by_stratum", ("stratum",)), TableSpec("total", ()))
WITHHELD_FIGURE = {
    "documented": None,
    "total": None,
    "low": None,
    "high": None,
    "undocumented": None,
    "total_text": "—",
    "undocumented_text": "—",
}


@dataclass
class EstimatesSection:
    run: EstimateRun
    figures: list[dict[str, Any]]
    charts: list[tuple[str, str]] = field(default_factory=list)
    withheld: int = 0


def latest_estimates(*, controlled: bool, threshold: int) -> EstimatesSection | None:
    run = EstimateRun.objects.filter(status="complete").first()
    if run is None:
        return None
    figures = estimate_figures(run)
    if controlled:
        figures = controlled_figures(figures, threshold)
    section = EstimatesSection(run=run, figures=figures)
    section.withheld = sum(f["documented"] is None for f in figures)
    for method in run.methods:
        rows = [f for f in figures if f["method"] == method and f["documented"] is not None]
        if rows:
            section.charts.append((method_label(method), _chart(rows, method)))
    return section


def _chart(rows: list[dict[str, Any]], method: str) -> str:
    title = _("Documented and estimated victims — {method}").format(method=method_label(method))
    labels = {
        "documented": _("documented"),
        "estimated": _("estimated total"),
        "interval": _("95% interval"),
    }
    return documented_vs_estimated_svg(rows, title, labels)


def _stratum(figure: dict[str, Any]) -> str:
    return "|".join(str(part) for part in figure.get("key") or ())


def controlled_figures(figures: list[dict[str, Any]], threshold: int) -> list[dict[str, Any]]:
    """Strata whose documented count is withheld lose every figure; no model notes."""
    documented = {_stratum(f): f["documented"] for f in figures if not f["is_total"]}
    records = [{"stratum": stratum, "documented": n} for stratum, n in documented.items()]
    release = protect_counts(records, ESTIMATE_TABLES, measure="documented", threshold=threshold)
    shown_strata = {
        cell.key[0] for cell in release.table("by_stratum").cells if cell.value is not None
    }
    total_shown = all(cell.value is not None for cell in release.table("total").cells)
    controlled = []
    for figure in figures:
        shown = total_shown if figure["is_total"] else _stratum(figure) in shown_strata
        kept = {**figure, "model": "", "warnings": [], "warning_codes": []}
        controlled.append(kept if shown else kept | WITHHELD_FIGURE)
    return controlled
