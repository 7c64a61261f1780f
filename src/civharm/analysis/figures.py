"""A stored estimate run as figures for people: rounded as each interval warrants.

One place decides how an estimate is shown, so the command, its JSON, the page and the chart
never disagree. Aggregates only.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from civharm.analysis.charts import documented_vs_estimated_svg
from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.estimation.rounding import round_as_warranted


def method_label(method: str) -> str:
    labels = {"loglinear": _("log-linear models"), "lcm": _("latent-class model")}
    return labels.get(method, method)


def stratum_label(row: StratumEstimate) -> str:
    if row.is_total:
        return _("total")
    return " × ".join(row.key) if row.key else _("all")


def _model_text(row: StratumEstimate) -> str:
    """The model in the reader's language where it can be rebuilt; else as it was stored."""
    strata = row.details.get("strata") if row.is_total else None
    if strata:
        return _("sum of {n} strata").format(n=strata)
    return row.model


def warning_text(stored: dict[str, Any]) -> str:
    """A stored warning in the current language (its template is a catalogue msgid)."""
    try:
        return _(stored["template"]).format(**stored.get("params", {}))
    except (KeyError, IndexError, ValueError):  # a template changed since the run
        return str(stored.get("code", ""))


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def figure(row: StratumEstimate) -> dict[str, Any]:
    """Display values of one estimate: rounded total, interval and undocumented, or nothing."""
    shown: dict[str, Any] = {
        "stratum": stratum_label(row),
        "key": row.key,
        "is_total": row.is_total,
        "method": row.method,
        "method_label": method_label(row.method),
        "documented": row.documented,
        "model": _model_text(row),
        "warnings": [warning_text(w) for w in row.warnings],
        "warning_codes": [w["code"] for w in row.warnings],
        "total": None,
        "low": None,
        "high": None,
        "undocumented_low": None,
        "undocumented_high": None,
        "total_text": "—",
        "undocumented_text": "—",
    }
    if row.total is None or row.low is None or row.high is None:
        return shown
    rounded = round_as_warranted(row.total, row.low, row.high)
    # Rounding down never takes the interval below the people documented: a known floor.
    rounded = replace(rounded, low=max(rounded.low, row.documented))
    missing_low = max(rounded.low - row.documented, 0)
    missing_high = max(rounded.high - row.documented, 0)
    shown |= {
        "total": rounded.total,
        "low": rounded.low,
        "high": rounded.high,
        "step": rounded.step,
        "undocumented": max(rounded.total - row.documented, 0),
        "undocumented_low": missing_low,
        "undocumented_high": missing_high,
        "total_text": _("{total} ({low}–{high})").format(
            total=_number(rounded.total), low=_number(rounded.low), high=_number(rounded.high)
        ),
        "undocumented_text": _("{low}–{high}").format(
            low=_number(missing_low), high=_number(missing_high)
        ),
    }
    return shown


def estimate_figures(run: EstimateRun) -> list[dict[str, Any]]:
    return [figure(row) for row in run.estimates.all()]


def sensitivity_figures(run: EstimateRun) -> list[dict[str, Any]]:
    """The totals at other linkage thresholds, rounded as every shown figure is."""
    rows = []
    for row in run.sensitivity:
        shown = {"threshold": row["threshold"], "documented": row["documented"], "total": None}
        if row.get("total") is not None:
            rounded = round_as_warranted(row["total"], row["low"], row["high"])
            shown |= {"total": rounded.total, "low": rounded.low, "high": rounded.high}
        rows.append(shown)
    return rows


def run_summary(run: EstimateRun) -> dict[str, Any]:
    """The run as JSON-ready data: what `civharm estimate --json` prints."""
    keep = (
        "stratum", "key", "is_total", "method", "documented", "total", "low", "high",
        "undocumented", "model", "warning_codes", "warnings",
    )  # fmt: skip
    return {
        "run": run.pk,
        "input": run.input_name or run.input_kind,
        "by": run.by,
        "methods": run.methods,
        "lists": run.lists,
        "documented": run.documented,
        "estimates": [
            {k: v for k, v in shown.items() if k in keep} for shown in estimate_figures(run)
        ],
        "linkage_sensitivity": sensitivity_figures(run),
    }


def estimate_chart(rows: list[dict[str, Any]], method: str) -> str:
    """Documented vs estimated for one method's rows (as `estimate_figures` gives them), as
    the server-drawn SVG the Estimates page and the dashboard share."""
    title = _("Documented and estimated victims — {method}").format(method=method_label(method))
    labels = {
        "documented": _("documented"),
        "estimated": _("estimated total"),
        "interval": _("95% interval"),
    }
    return documented_vs_estimated_svg(rows, title, labels)
