"""Rounding as the interval warrants, and strata that add up with their uncertainty."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from civharm.estimation.results import Estimate
from civharm.estimation.rounding import round_as_warranted
from civharm.estimation.strata import add_up


def test_rounds_to_what_the_interval_supports() -> None:
    uk = round_as_warranted(12_262, 9_330, 32_115)
    assert (uk.total, uk.low, uk.high, uk.step) == (12_000, 9_000, 33_000, 1_000)
    korea = round_as_warranted(157.4, 128.2, 349.0)
    assert (korea.total, korea.low, korea.high) == (160, 120, 350)
    narrow = round_as_warranted(41.3, 40.2, 44.9)
    assert (narrow.total, narrow.low, narrow.high) == (41, 40, 45)


@given(
    st.floats(0, 1e6),
    st.floats(0, 1e6),
    st.floats(0, 1e6),
)
def test_rounding_never_narrows_the_interval(a: float, b: float, c: float) -> None:
    low, total, high = sorted((a, b, c))
    rounded = round_as_warranted(total, low, high)
    assert rounded.low <= low and rounded.high >= high
    assert rounded.low <= rounded.total <= rounded.high


def _estimate(documented: int, centre: float, spread: float, seed: int) -> Estimate:
    draws = np.random.default_rng(seed).normal(centre, spread, 5000)
    low, high = np.percentile(draws, [2.5, 97.5])
    return Estimate("loglinear", documented, centre, low, high, draws=draws)


def test_independent_strata_add_up_in_quadrature_not_by_their_ends() -> None:
    strata = [_estimate(100, 200.0, 30.0, 1), _estimate(50, 120.0, 40.0, 2)]
    total = add_up(strata, "loglinear", np.random.default_rng(0))
    assert total.documented == 150 and total.total == 320.0
    width = total.high - total.low  # type: ignore[operator]
    expected = 2 * 1.96 * (30.0**2 + 40.0**2) ** 0.5  # 196
    assert abs(width - expected) < 0.06 * expected
    ends = sum(s.high - s.low for s in strata)  # type: ignore[operator]
    assert width < 0.8 * ends


def test_a_stratum_without_estimate_counts_as_documented_and_says_so() -> None:
    strata = [_estimate(100, 200.0, 30.0, 1), Estimate("loglinear", 7, None, None, None)]
    total = add_up(strata, "loglinear", np.random.default_rng(0))
    assert total.total == 207.0
    assert [w.code for w in total.warnings] == ["partial_total"]


def test_no_stratum_estimated_gives_no_total() -> None:
    strata = [Estimate("lcm", 3, None, None, None), Estimate("lcm", 4, None, None, None)]
    total = add_up(strata, "lcm", np.random.default_rng(0))
    assert total.total is None and total.documented == 7
    assert total.warnings[0].code == "no_stratum_estimated"
