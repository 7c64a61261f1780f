"""Difference in differences on simulated areas with a known effect (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from civharm.training.did import (
    NO_ESTIMATE_NO_INCIDENTS,
    NO_INTERVAL_ONE_AREA,
    Exposure,
    difference_in_differences,
    poisson_floor,
)

MONTHS = 12


def _simulate(seed: int, effect: float, treated: int = 15, control: int = 30):
    """Areas with their own base rates (0.5-3 incidents a month), a common trend (+10%
    after), and a change of `effect` in trained areas after training; Poisson noise."""
    rng = np.random.default_rng(seed)
    base_t = rng.uniform(0.5, 3.0, treated)
    base_c = rng.uniform(0.5, 3.0, control)
    trend = 1.1
    return (
        rng.poisson(base_t * MONTHS),
        rng.poisson(base_t * MONTHS * trend * (1 + effect)),
        rng.poisson(base_c * MONTHS),
        rng.poisson(base_c * MONTHS * trend),
    )


@pytest.mark.parametrize("true_effect", [-0.3, 0.0])
def test_the_interval_recovers_a_known_effect_in_most_simulated_datasets(true_effect) -> None:
    covered = 0
    for seed in range(100):
        counts = _simulate(seed, true_effect)
        estimate = difference_in_differences(*counts, exposure=MONTHS, n_boot=500, seed=seed)
        assert estimate.low is not None and estimate.high is not None
        covered += estimate.low <= true_effect <= estimate.high
    assert covered >= 90


def test_a_30_percent_drop_is_estimated_near_minus_30_percent_and_excludes_zero() -> None:
    counts = _simulate(7, -0.3, treated=40, control=80)
    estimate = difference_in_differences(*counts, exposure=MONTHS)
    assert estimate.effect == pytest.approx(-0.3, abs=0.08)
    assert estimate.high is not None and estimate.high < 0
    assert estimate.difference_per_month < 0
    assert estimate.treated_before_rate > 0 and estimate.n_treated == 40


def test_hand_computed_ratio_of_rate_ratios_with_exposures() -> None:
    # trained: 10 incidents in 10 months, then 4 in 8 months (rate 1 -> 0.5);
    # comparison: 20 in 10 months, then 20 in 10 months (rate 2 -> 2): ratio 0.5.
    estimate = difference_in_differences(
        [6, 4], [2, 2], [10, 10], [12, 8],
        exposure=Exposure([5, 5], [4, 4], [5, 5], [5, 5]),
        n_boot=200,
    )  # fmt: skip
    assert estimate.rate_ratio == pytest.approx(0.5)
    assert estimate.effect == pytest.approx(-0.5)
    assert estimate.difference_per_month == pytest.approx(-0.5)
    assert any("Few areas" in caveat for caveat in estimate.caveats)


def test_no_incident_in_a_group_gives_no_estimate_and_says_why() -> None:
    estimate = difference_in_differences([0, 0], [1, 2], [3, 4], [5, 6])
    assert estimate.effect is None and estimate.low is None
    assert estimate.reason == NO_ESTIMATE_NO_INCIDENTS


def test_mismatched_areas_are_refused() -> None:
    with pytest.raises(ValueError, match="same areas"):
        difference_in_differences([1, 2], [1], [3], [4])


def test_identical_areas_still_get_the_poisson_width_of_their_counts() -> None:
    # Resampling six identical areas always gives the same ratio: the width comes from the
    # Poisson floor on 18, 6, 18 and 18 incidents, never zero.
    estimate = difference_in_differences([3] * 6, [1] * 6, [3] * 6, [3] * 6, n_boot=200)
    assert estimate.effect == pytest.approx(-2 / 3)
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low < -0.8 and -0.4 < estimate.high < 1.0
    floor = poisson_floor(tuple(np.array([n] * 6) for n in (3, 1, 3, 3)))
    assert floor == pytest.approx((3 / 18 + 1 / 6) ** 0.5)


def test_two_identical_areas_per_group_get_a_wide_finite_interval() -> None:
    estimate = difference_in_differences([10, 10], [5, 5], [10, 10], [10, 10], n_boot=200)
    assert estimate.effect == pytest.approx(-0.5)
    assert estimate.low is not None and estimate.high is not None
    assert -1 < estimate.low < -0.9 and 10 < estimate.high < float("inf")


@pytest.mark.parametrize("treated", [1, 4])
def test_one_area_in_a_group_gives_an_estimate_without_an_interval(treated: int) -> None:
    control = 5 - treated
    estimate = difference_in_differences(
        [10] * treated, [5] * treated, [10] * control, [10] * control, n_boot=100
    )
    assert estimate.effect == pytest.approx(-0.5)
    assert estimate.low is None and estimate.high is None
    assert estimate.reason == NO_INTERVAL_ONE_AREA
