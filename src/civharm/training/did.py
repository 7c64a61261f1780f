"""Difference in differences for "does the training work": harm incidents per area-month in
trained areas, before and after training, against comparison areas over the same windows.

Pure Python (numpy; never imports Django). The estimate is a ratio of rate ratios with an
interval from a bootstrap over areas, floored by the Poisson noise of the pooled counts; it
never claims more than that (see `CAVEATS`, docs/training.md) and never returns an infinite
bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from civharm.core.i18n import N_

DEFAULT_BOOTSTRAP = 2000
DEFAULT_LEVEL = 0.95
DEFAULT_SEED = 20_26
FEW_AREAS = 5  # below this many areas in a group, intervals are wide and say little
# More undefined resamples than this (a group-period with no incident) and there is no interval.
MAX_UNDEFINED_SHARE = 0.05

CAVEATS = (
    N_(
        "Attribution is uncertain: incidents are counted under the forces they are alleged to "
        "have been committed by; an allegation is not a finding."
    ),
    N_(
        "Reporting changes: more or fewer incidents may be reported because monitors, sources "
        "or access changed, not because harm changed."
    ),
    N_(
        "Units move: a unit's area of operations is what was recorded for it; other units, "
        "trained or not, also operate there."
    ),
    N_(
        "The comparison assumes that, without training, harm in trained areas would have "
        "changed as it did in comparison areas (parallel trends). Nothing in the data can "
        "prove it."
    ),
)
FEW_AREAS_CAVEAT = N_(
    "Few areas are compared: the interval is wide and a single area can move the estimate."
)
NO_ESTIMATE_NO_AREAS = N_("No trained or no comparison area: nothing to compare.")
NO_ESTIMATE_NO_INCIDENTS = N_(
    "A group had no incident before or after training: a change in rate cannot be estimated."
)
NO_INTERVAL_ONE_AREA = N_(
    "Only one trained or one comparison area: the estimate has no interval (nothing shows "
    "how much areas differ)."
)
NO_INTERVAL_TOO_SPARSE = N_(
    "Too few incidents for an interval: many resampled sets of areas had a group with none."
)


@dataclass(frozen=True)
class Exposure:
    """Months observed per area and period, aligned with the counts (same order)."""

    treated_before: Sequence[float]
    treated_after: Sequence[float]
    control_before: Sequence[float]
    control_after: Sequence[float]


@dataclass(frozen=True)
class DidEstimate:
    """`effect` is the relative change in the incident rate of trained areas beyond that of
    comparison areas: rate_ratio − 1 (−0.3: 30% fewer incidents than expected). `low`/`high`
    bound it at `level`; None with a `reason` when they cannot be computed."""

    effect: float | None
    low: float | None
    high: float | None
    rate_ratio: float | None
    # incidents per area-month, pooled over the group's areas
    treated_before_rate: float
    treated_after_rate: float
    control_before_rate: float
    control_after_rate: float
    difference_per_month: float  # additive: change in trained areas minus change in comparison
    n_treated: int
    n_control: int
    level: float
    n_boot: int
    undefined_draws: int
    reason: str | None
    caveats: tuple[str, ...]


def _as_array(values: Sequence[float], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or np.any(array < 0) or not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected non-negative numbers, one per area")
    return array


def _exposures(
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], exposure: float | Exposure | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if exposure is None or isinstance(exposure, int | float):
        same = 1.0 if exposure is None else float(exposure)
        if same <= 0:
            raise ValueError("exposure: months must be positive")
        return (
            np.full_like(counts[0], same),
            np.full_like(counts[1], same),
            np.full_like(counts[2], same),
            np.full_like(counts[3], same),
        )
    given = (
        exposure.treated_before,
        exposure.treated_after,
        exposure.control_before,
        exposure.control_after,
    )
    arrays = tuple(_as_array(values, "exposure") for values in given)
    for count, months in zip(counts, arrays, strict=True):
        if count.shape != months.shape:
            raise ValueError("exposure: one figure per area, as for the counts")
    return arrays[0], arrays[1], arrays[2], arrays[3]


def _ratio_of_ratios(
    tb: np.ndarray, ta: np.ndarray, cb: np.ndarray, ca: np.ndarray, expo: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Pooled rate ratio of trained areas over that of comparison areas, along the last axis
    (NaN where a pooled count is 0). Equals the Poisson model's interaction term with area
    and period effects when every area of a group has the same before/after months."""
    sums = [np.sum(values, axis=-1) for values in (tb, ta, cb, ca)]
    months = [np.sum(values, axis=-1) for values in expo]
    with np.errstate(divide="ignore", invalid="ignore"):
        treated = (sums[1] / months[1]) / (sums[0] / months[0])
        control = (sums[3] / months[3]) / (sums[2] / months[2])
        ratio = treated / control
    defined = np.all([s > 0 for s in sums], axis=0)
    return np.where(defined, ratio, np.nan)


def _bootstrap(
    counts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    expo: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    n_boot: int,
    seed: int,
) -> np.ndarray:
    """Resample areas with replacement, trained and comparison separately; an area keeps its
    before and after counts together (they are not independent)."""
    rng = np.random.default_rng(seed)
    treated = rng.integers(0, counts[0].size, size=(n_boot, counts[0].size))
    control = rng.integers(0, counts[2].size, size=(n_boot, counts[2].size))
    picked = (counts[0][treated], counts[1][treated], counts[2][control], counts[3][control])
    months = (expo[0][treated], expo[1][treated], expo[2][control], expo[3][control])
    return _ratio_of_ratios(*picked, months)


def poisson_floor(counts: tuple[np.ndarray, ...]) -> float:
    """Standard error of the log ratio of rate ratios from Poisson noise alone:
    sqrt(1/ΣTB + 1/ΣTA + 1/ΣCB + 1/ΣCA). Resampling areas cannot see this noise when areas
    look alike (six areas each going 3 -> 1 resample to the same ratio every time)."""
    return math.sqrt(sum(1.0 / float(np.sum(values)) for values in counts))


def _interval(
    ratio: float, draws: np.ndarray, areas: int, level: float, floor: float
) -> tuple[float, float]:
    """On the log scale: the larger of the bootstrap's standard error, widened by
    areas/(areas − 1) (a resample of few areas varies less than a new sample would), and
    the Poisson floor; times a t quantile with areas − 1 degrees of freedom (areas ≥ 2,
    checked by the caller). Plain percentiles covered 87-90% of simulated 95% intervals with
    15 trained areas; this covers about 95% (docs/training.md)."""
    logs = np.log(draws[np.isfinite(draws) & (draws > 0)])
    spread = floor
    if logs.size >= 2:
        boot = float(np.std(logs, ddof=1)) * math.sqrt(areas / (areas - 1))
        spread = max(boot, floor)
    quantile = float(stats.t.ppf((1 + level) / 2, areas - 1))
    centre = math.log(ratio)
    return math.exp(centre - quantile * spread) - 1, math.exp(centre + quantile * spread) - 1


def _rate(count: np.ndarray, months: np.ndarray) -> float:
    total = float(months.sum())
    return float(count.sum()) / total if total > 0 else 0.0


def difference_in_differences(
    treated_before: Sequence[float],
    treated_after: Sequence[float],
    control_before: Sequence[float],
    control_after: Sequence[float],
    *,
    exposure: float | Exposure | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    level: float = DEFAULT_LEVEL,
    seed: int = DEFAULT_SEED,
) -> DidEstimate:
    """Counts of harm incidents per area (trained areas: `treated_*`, same order before and
    after; comparison areas: `control_*`). `exposure`: months per area-period (one number for
    all, or an `Exposure`); None counts each area-period as one month.

    The interval is on the log scale: the standard error is the larger of that of `n_boot`
    resamples of areas (see _bootstrap) and the Poisson floor (see poisson_floor), times a t
    quantile (see _interval). With fewer than two trained or two comparison areas there is no
    interval (`reason` says so), never an infinite bound."""
    counts = (
        _as_array(treated_before, "treated_before"),
        _as_array(treated_after, "treated_after"),
        _as_array(control_before, "control_before"),
        _as_array(control_after, "control_after"),
    )
    if counts[0].shape != counts[1].shape or counts[2].shape != counts[3].shape:
        raise ValueError("the same areas, in the same order, before and after")
    expo = _exposures(counts, exposure)
    rates = [_rate(count, months) for count, months in zip(counts, expo, strict=True)]
    n_treated, n_control = int(counts[0].size), int(counts[2].size)
    caveats = CAVEATS + ((FEW_AREAS_CAVEAT,) if min(n_treated, n_control) < FEW_AREAS else ())
    base = {
        "treated_before_rate": rates[0],
        "treated_after_rate": rates[1],
        "control_before_rate": rates[2],
        "control_after_rate": rates[3],
        "difference_per_month": (rates[1] - rates[0]) - (rates[3] - rates[2]),
        "n_treated": n_treated,
        "n_control": n_control,
        "level": level,
        "n_boot": n_boot,
        "caveats": caveats,
    }
    if not n_treated or not n_control:
        return _no_estimate(base, NO_ESTIMATE_NO_AREAS)
    ratio = float(_ratio_of_ratios(*counts, expo))
    if not np.isfinite(ratio):
        return _no_estimate(base, NO_ESTIMATE_NO_INCIDENTS)
    draws = _bootstrap(counts, expo, n_boot, seed)
    undefined = int(np.isnan(draws).sum())
    low = high = None
    reason = None
    if min(n_treated, n_control) < 2:
        reason = NO_INTERVAL_ONE_AREA
    elif undefined > MAX_UNDEFINED_SHARE * n_boot:
        reason = NO_INTERVAL_TOO_SPARSE
    else:
        floor = poisson_floor(counts)
        low, high = _interval(ratio, draws, min(n_treated, n_control), level, floor)
    return DidEstimate(
        effect=ratio - 1,
        low=low,
        high=high,
        rate_ratio=ratio,
        undefined_draws=undefined,
        reason=reason,
        **base,  # type: ignore[arg-type]
    )


def _no_estimate(base: dict[str, object], reason: str) -> DidEstimate:
    return DidEstimate(
        effect=None,
        low=None,
        high=None,
        rate_ratio=None,
        undefined_draws=0,
        reason=reason,
        **base,  # type: ignore[arg-type]
    )
