"""Documented vs estimated totals on the dashboard: the latest complete estimate run.

For readers without exact figures (partners), the latest run stratified by region alone: a
stratum is shown only when its documented count is shown in the published release (the same
release as every other partner figure); its model notes and warnings, which may quote small
counts, are not shown to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from civharm.analysis.figures import estimate_chart, estimate_figures, method_label
from civharm.analysis.models import EstimateRun
from civharm.analysis.published import (
    DOCUMENTED,
    documented_keys,
    latest_region_run,
    partner_release,
    published_value,
)
from civharm.disclosure import ProtectedRelease

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


def latest_estimates(*, controlled: bool) -> EstimatesSection | None:
    """Staff: the latest complete run. Partners: the latest complete run stratified by region
    alone, whose documented counts are cells of the published release."""
    if controlled:
        run = latest_region_run()
        if run is None:
            return None
        figures = partner_estimate_figures(run, partner_release())
    else:
        run = EstimateRun.objects.filter(status="complete").first()
        if run is None:
            return None
        figures = estimate_figures(run)
    section = EstimatesSection(run=run, figures=figures)
    section.withheld = sum(f["documented"] is None for f in figures)
    for method in run.methods:
        rows = [f for f in figures if f["method"] == method and f["documented"] is not None]
        if rows:
            section.charts.append((method_label(method), estimate_chart(rows, method)))
    return section


def partner_estimate_figures(run: EstimateRun, release: ProtectedRelease) -> list[dict[str, Any]]:
    """A stratum is shown only when its documented cell of the release is; its documented
    figure is that cell. No model notes or warnings (they may quote small counts)."""
    keys = documented_keys(run)
    figures = []
    for figure in estimate_figures(run):
        if figure["is_total"]:
            documented = published_value(release, DOCUMENTED)
        else:
            name = str(figure["key"][0]) if figure["key"] else ""
            documented = published_value(release, DOCUMENTED, "region", keys.get(name, name))
        kept = {**figure, "model": "", "warnings": [], "warning_codes": []}
        figures.append(
            kept | WITHHELD_FIGURE if documented is None else kept | {"documented": documented}
        )
    return figures
