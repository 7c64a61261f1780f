"""Estimate every stratum with every method, and add the strata up with their uncertainty.

The strata are independent, so the total's interval comes from summing posterior or
bootstrap draws, never from adding interval ends (which would overstate the uncertainty).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from civharm.core.i18n import N_, _
from civharm.estimation.histories import CaptureHistories
from civharm.estimation.results import Estimate, EstimationWarning, warning

METHODS = ("loglinear", "lcm")
TOTAL_DRAWS = 4000


@dataclass(frozen=True)
class StratumEstimates:
    """One stratum (e.g. ("Mopti", "2022")), its capture histories and each method's estimate."""

    key: tuple[str, ...]
    histories: CaptureHistories
    estimates: dict[str, Estimate] = field(default_factory=dict)

    @property
    def documented(self) -> int:
        return self.histories.documented


@dataclass(frozen=True)
class EstimationReport:
    """Strata, their total (estimates added up) and what they rest on."""

    by: tuple[str, ...]
    methods: tuple[str, ...]
    strata: list[StratumEstimates]
    total: dict[str, Estimate]

    @property
    def documented(self) -> int:
        return sum(stratum.documented for stratum in self.strata)

    @property
    def lists(self) -> tuple[str, ...]:
        names: set[str] = set()
        for stratum in self.strata:
            names.update(n for n, size in stratum.histories.list_sizes.items() if size)
        return tuple(sorted(names))


Estimator = Callable[[CaptureHistories, Any], Estimate]


def estimators() -> dict[str, Estimator]:
    from civharm.estimation.lcm import estimate_lcm
    from civharm.estimation.loglinear import estimate_loglinear

    return {"loglinear": estimate_loglinear, "lcm": estimate_lcm}


def estimate_population(
    histories: CaptureHistories,
    methods: Sequence[str] = METHODS,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Estimate]:
    """Each method's estimate for one population; `options` maps a method to its options."""
    available = estimators()
    unknown = [m for m in methods if m not in available]
    if unknown:
        raise ValueError(f"unknown estimation method(s): {', '.join(unknown)}")
    usable = histories.without_empty_lists()
    return {m: available[m](usable, (options or {}).get(m)) for m in methods}


def estimate_strata(
    strata: Mapping[tuple[str, ...], CaptureHistories],
    by: Sequence[str] = (),
    methods: Sequence[str] = METHODS,
    options: Mapping[str, Any] | None = None,
    progress: Callable[[tuple[str, ...]], None] | None = None,
    seed: int | None = 0,
) -> EstimationReport:
    """Estimate each stratum, then their total per method."""
    results = []
    for key in sorted(strata):
        results.append(
            StratumEstimates(key, strata[key], estimate_population(strata[key], methods, options))
        )
        if progress:
            progress(key)
    rng = np.random.default_rng(seed)
    total = {m: add_up([s.estimates[m] for s in results], m, rng) for m in methods}
    return EstimationReport(tuple(by), tuple(methods), results, total)


def add_up(estimates: Sequence[Estimate], method: str, rng: np.random.Generator) -> Estimate:
    """The total of independent strata: draws summed (randomly paired), points summed.

    A stratum without an estimate counts with its documented people only; the total then
    says so, since it is a floor for that stratum.
    """
    documented = sum(e.documented for e in estimates)
    supported = [e for e in estimates if e.supported and e.draws is not None and len(e.draws)]
    if len(estimates) == 1:
        return estimates[0]
    if not supported:
        return Estimate(method, documented, None, None, None, warnings=_no_stratum_estimated())
    estimated = {id(e) for e in supported}
    floor = sum(e.documented for e in estimates if id(e) not in estimated)
    draws = np.full(TOTAL_DRAWS, float(floor))
    for estimate in supported:
        draws += rng.choice(np.asarray(estimate.draws, dtype=float), TOTAL_DRAWS, replace=True)
    point = float(floor) + sum(float(e.total or 0.0) for e in supported)
    if method == "lcm":  # posterior medians do not add up; the median of the sum does
        point = float(np.median(draws))
    low, high = np.percentile(draws, [2.5, 97.5])
    warnings = _total_warnings(len(estimates) - len(supported), len(estimates))
    return Estimate(
        method,
        documented,
        point,
        float(min(low, point)),
        float(max(high, point)),
        model=_("sum of {n} strata").format(n=len(estimates)),
        draws=draws,
        details={"strata": len(estimates), "strata_estimated": len(supported)},
        warnings=warnings,
    )


def _no_stratum_estimated() -> tuple[EstimationWarning, ...]:
    message = N_("No stratum could be estimated, so neither can their total.")
    return (warning("no_stratum_estimated", message),)


def _total_warnings(missing: int, strata: int) -> tuple[EstimationWarning, ...]:
    if not missing:
        return ()
    message = N_(
        "{missing} of {strata} strata could not be estimated: the total counts only their "
        "documented victims, so it is too low for them."
    )
    return (warning("partial_total", message, missing=missing, strata=strata),)
