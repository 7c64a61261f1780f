"""Rows of the agreement page: for each interview coded by two coders, the number of themes each
applied and Cohen's kappa over presence/absence of every codebook theme
(civharm.research.outputs.double_coded_agreement), and a plain-words reading of a kappa.

Reads theme keys and coder names only; never an excerpt's text.
"""

from __future__ import annotations

from statistics import mean
from typing import Any

from django.utils.translation import gettext as _

from civharm.research.outputs import double_coded_agreement

# Landis and Koch (1977), the usual reading scale for kappa: (upper bound, reading).
READINGS = (
    (0.0, "less than chance agreement"),
    (0.2, "slight agreement"),
    (0.4, "fair agreement"),
    (0.6, "moderate agreement"),
    (0.8, "substantial agreement"),
    (1.0, "almost perfect agreement"),
)


def kappa_reading(kappa: float) -> str:
    texts = {
        "less than chance agreement": _("less than chance agreement"),
        "slight agreement": _("slight agreement"),
        "fair agreement": _("fair agreement"),
        "moderate agreement": _("moderate agreement"),
        "substantial agreement": _("substantial agreement"),
        "almost perfect agreement": _("almost perfect agreement"),
    }
    for upper, text in READINGS:
        # Below zero is strictly worse than chance; the other bands include their upper bound.
        if kappa < upper or (upper > 0 and kappa <= upper):
            return texts[text]
    return texts[READINGS[-1][1]]


def agreement_rows() -> tuple[list[dict[str, Any]], float | None]:
    """One row per double-coded interview (its first two coders), and the mean kappa."""
    results = double_coded_agreement()
    rows: list[dict[str, Any]] = [
        {
            "interview_id": result.interview_id,
            "interview_code": result.interview_code,
            "coder_a": result.coder_a,
            "coder_b": result.coder_b,
            "themes_a": len(result.themes_a),
            "themes_b": len(result.themes_b),
            "kappa": result.kappa,
            "reading": kappa_reading(result.kappa),
        }
        for result in results
    ]
    kappas = [result.kappa for result in results]
    return rows, (mean(kappas) if kappas else None)
