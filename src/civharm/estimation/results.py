"""Estimates out: plain dataclasses at the package boundary, with warnings for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civharm.core.i18n import _


@dataclass(frozen=True)
class EstimationWarning:
    """Why an estimate is missing or fragile. `code` is stable (tests, the UI's styling);
    `template` is the English sentence (a catalogue msgid) and `params` fill it, so that a
    stored warning is shown in the reader's language, not in the language of the run."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def message(self) -> str:
        """The plain-language sentence in the current language (core.i18n)."""
        return _(self.template).format(**self.params)


def warning(code: str, template: str, **params: Any) -> EstimationWarning:
    """`template` is marked with N_() where it is written, so the catalogue has it."""
    return EstimationWarning(code, template, dict(params))


@dataclass(frozen=True)
class Estimate:
    """One method's estimate of the whole population of one stratum.

    `total` is the point estimate (model-averaged MLE, or the posterior median) and
    `low`/`high` its 95% interval; all three are None when the data cannot support an
    estimate, and `warnings` then says why. `draws` are samples of the total (bootstrap
    replicates or posterior draws) so that the estimates of independent strata add up
    with their uncertainty.
    """

    method: str  # "loglinear" or "lcm"
    documented: int
    total: float | None
    low: float | None
    high: float | None
    model: str = ""  # e.g. "[AB][C] (BIC weight 0.62)" or "latent classes K=10, 4 chains"
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)
    details: dict[str, Any] = field(default_factory=dict, compare=False)
    warnings: tuple[EstimationWarning, ...] = ()

    @property
    def supported(self) -> bool:
        return self.total is not None

    @property
    def undocumented(self) -> float | None:
        return None if self.total is None else max(self.total - self.documented, 0.0)


def unsupported(method: str, documented: int, *warnings: EstimationWarning) -> Estimate:
    """The honest answer when the data cannot carry an estimate: no number, and why."""
    return Estimate(method, documented, None, None, None, warnings=tuple(warnings))
