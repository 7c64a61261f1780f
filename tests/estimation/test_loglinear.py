"""Log-linear MSE: published estimates reproduced, hand-checkable tables, honest refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civharm.estimation.histories import CaptureHistories, read_histories_csv
from civharm.estimation.loglinear import (
    LoglinearOptions,
    LoglinearOptionsError,
    estimate_loglinear,
)

DATA = Path(__file__).parent / "data"
FAST = LoglinearOptions(n_bootstrap=199)


def overlap_share(mine: tuple[float, float], published: tuple[float, float]) -> float:
    """Length of the intersection of two intervals over the length of the shorter one."""
    common = min(mine[1], published[1]) - max(mine[0], published[0])
    return max(common, 0.0) / min(mine[1] - mine[0], published[1] - published[0])


def codes(estimate) -> set[str]:
    return {w.code for w in estimate.warnings}


# Published figures: Silverman, Chan & Vincent (2024), Stat. Comput. 34:44, Table 6.
PUBLISHED = [
    ("uk_modern_slavery_2013_5lists.csv", 12_262, 9_330, 32_115),
    ("korea_palembang_3lists.csv", 157, 128, 349),
    ("new_orleans_trafficking_5lists.csv", 981, 397, 1_564),
    ("new_orleans_trafficking_8lists.csv", 1_110, 586, 1_512),
]


@pytest.mark.parametrize(("name", "published", "low", "high"), PUBLISHED)
def test_published_tables_are_reproduced(name, published, low, high):
    """The point estimate lies inside the published 95% interval, and the two intervals share
    at least half of the shorter one (ours is a percentile, theirs a BCa bootstrap)."""
    estimate = estimate_loglinear(read_histories_csv(DATA / name), FAST)

    assert low <= estimate.total <= high
    assert overlap_share((estimate.low, estimate.high), (low, high)) >= 0.5
    assert estimate.low <= estimate.total <= estimate.high
    assert estimate.documented <= estimate.low


def test_uk_downhill_bic_selects_the_published_model():
    """SparseMSE's downhill BIC on the UK 2013 table picks a model estimating 12,262."""
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "uk_modern_slavery_2013_5lists.csv"),
        LoglinearOptions(n_bootstrap=0, interval="profile"),
    )

    assert estimate.details["selected_estimate"] == pytest.approx(12_262, abs=1)
    assert estimate.details["selected"] == "[LA,NG][LA,PFNCA][NG,GP][PFNCA,GP][GO,GP]"


def test_korea_bic_model_matches_published_point_estimate():
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "korea_palembang_3lists.csv"),
        LoglinearOptions(average=False, n_bootstrap=99),
    )

    assert estimate.total == pytest.approx(157, abs=1)
    assert estimate.details["averaged"] is False


def test_two_lists_give_lincoln_petersen_and_warn_independence_is_unchecked():
    """60 on list A, 50 on list B, 20 on both: N = 60 * 50 / 20 = 150."""
    histories = CaptureHistories.from_table(["A", "B"], [[1, 1], [1, 0], [0, 1]], [20, 40, 30])

    estimate = estimate_loglinear(histories, FAST)

    assert estimate.total == pytest.approx(150.0, rel=1e-6)
    assert estimate.details["lincoln_petersen"] == pytest.approx(150.0)
    assert estimate.details["chapman"] == pytest.approx(61 * 51 / 21 - 1)
    assert estimate.details["selected"] == "independence"
    assert "independence_unchecked" in codes(estimate)


def test_exact_independence_table_recovers_the_population():
    """1,000 people, capture probabilities 0.5, 0.4, 0.2: the expected counts are whole
    numbers, and 240 people (0.5 * 0.6 * 0.8 * 1000) are on no list."""
    probabilities = np.array([0.5, 0.4, 0.2])
    patterns = [[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1) if a or b or c]
    counts = [
        round(1000 * np.prod(np.where(np.array(p) == 1, probabilities, 1 - probabilities)))
        for p in patterns
    ]
    estimate = estimate_loglinear(CaptureHistories.from_table("ABC", patterns, counts), FAST)

    assert estimate.documented == 760
    assert estimate.total == pytest.approx(1000.0, rel=1e-6)
    assert estimate.details["selected"] == "independence"
    assert estimate.low < 1000 < estimate.high


def test_list_overlapping_no_other_is_flagged_and_gives_no_absurd_number():
    histories = CaptureHistories.from_table(
        ["A", "B", "C"], [[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]], [100, 80, 40, 50]
    )

    estimate = estimate_loglinear(histories, FAST)

    assert "no_overlap" in codes(estimate)
    assert "C" in next(w.message for w in estimate.warnings if w.code == "no_overlap")
    assert estimate.total is None or estimate.total < 10 * estimate.documented
    # No interaction with C is ever tried: C shares nobody with A or B.
    interacting = {name for m in estimate.details["models"] for t in m["terms"] for name in t}
    assert "C" not in interacting


def test_lists_sharing_nobody_cannot_be_estimated():
    histories = CaptureHistories.from_table("ABC", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [30, 20, 10])

    estimate = estimate_loglinear(histories)

    assert not estimate.supported
    assert codes(estimate) == {"no_overlap"}


def test_single_list_is_unsupported():
    histories = CaptureHistories.from_table(["A", "B"], [[1, 0]], [42])  # B names nobody

    estimate = estimate_loglinear(histories)

    assert estimate.total is None and estimate.low is None and estimate.high is None
    assert codes(estimate) == {"too_few_lists"}


def test_exploding_estimate_is_refused_as_unbounded():
    """3,000 on each of two lists and one person on both: N0 = 9 million, 1,500x documented."""
    histories = CaptureHistories.from_table(["A", "B"], [[1, 0], [0, 1], [1, 1]], [3000, 3000, 1])

    estimate = estimate_loglinear(histories)

    assert not estimate.supported
    assert "unbounded" in codes(estimate)


def test_tiny_stratum_still_estimates_but_warns():
    histories = CaptureHistories.from_table(["A", "B"], [[1, 0], [0, 1], [1, 1]], [5, 4, 3])

    estimate = estimate_loglinear(histories, FAST)

    assert estimate.total == pytest.approx(8 * 7 / 3)
    assert "tiny_stratum" in codes(estimate)


def test_details_list_the_models_visited_with_weights_summing_to_one():
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "new_orleans_trafficking_5lists.csv"), FAST
    )

    models = estimate.details["models"]
    assert len(models) > 1
    assert sum(m["weight"] for m in models) == pytest.approx(1.0, abs=1e-3)
    assert sum(m["selected"] for m in models) == 1
    assert set(models[0]) >= {"model", "terms", "deviance", "df", "aic", "bic", "estimate"}
    assert estimate.details["criterion"] == "bic"
    assert estimate.details["interval"] == "percentile"
    assert "BIC weight" in estimate.model


def test_draws_are_bootstrap_totals_and_are_reproducible():
    histories = read_histories_csv(DATA / "korea_palembang_3lists.csv")
    options = LoglinearOptions(n_bootstrap=99, seed=7)

    first, second = estimate_loglinear(histories, options), estimate_loglinear(histories, options)

    assert first.draws is not None and len(first.draws) == 99
    assert np.array_equal(first.draws, second.draws)
    assert first.draws.min() >= 0.5 * first.documented
    assert 0.5 * first.total < np.median(first.draws) < 2 * first.total


def test_profile_interval_brackets_the_selected_model():
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "korea_palembang_3lists.csv"),
        LoglinearOptions(interval="profile", average=False, n_bootstrap=0),
    )

    assert estimate.details["interval"] == "profile"
    assert estimate.documented <= estimate.low < 157 < estimate.high
    assert estimate.draws is None


def test_bca_and_aic_options_give_an_interval_around_the_estimate():
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "new_orleans_trafficking_5lists.csv"),
        LoglinearOptions(interval="bca", criterion="aic", n_bootstrap=99),
    )

    assert estimate.details["interval"] == "bca"
    assert estimate.documented <= estimate.low <= estimate.total <= estimate.high
    assert "AIC weight" in estimate.model


def test_three_list_interactions_are_only_tried_when_identifiable():
    """With three lists the three-way term would leave nothing to estimate the missing cell."""
    estimate = estimate_loglinear(
        read_histories_csv(DATA / "korea_palembang_3lists.csv"),
        LoglinearOptions(max_order=3, n_bootstrap=0, interval="profile"),
    )

    assert all(len(term) <= 2 for m in estimate.details["models"] for term in m["terms"])


def test_unknown_options_are_refused():
    with pytest.raises(LoglinearOptionsError):
        LoglinearOptions(criterion="dic")  # type: ignore[arg-type]


@pytest.mark.slow
def test_fifteen_sparse_lists_find_their_one_dependence():
    """32,767 observable cells: the search, the LP-free existence checks and a capped
    bootstrap that refits the selected model."""
    rng = np.random.default_rng(3)
    captured = rng.random((4000, 15)) < rng.uniform(0.02, 0.12, 15)
    captured[:, 1] |= captured[:, 0] & (rng.random(4000) < 0.3)  # one real dependence
    seen = captured.any(axis=1)
    histories = CaptureHistories.from_table(
        [f"L{j}" for j in range(15)], captured[seen].astype(int), np.ones(seen.sum(), int)
    )

    estimate = estimate_loglinear(histories)  # seconds: bench/estimation.py times it

    assert "[L0,L1]" in estimate.details["selected"]
    assert estimate.low <= estimate.total <= estimate.high
    assert 2500 < estimate.total < 6000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    population=st.integers(200, 2000),
    probabilities=st.lists(st.floats(0.2, 0.6), min_size=3, max_size=4),
    seed=st.integers(0, 2**31),
)
def test_independent_lists_give_a_finite_estimate_inside_its_interval(
    population, probabilities, seed
):
    rng = np.random.default_rng(seed)
    captured = rng.random((population, len(probabilities))) < np.array(probabilities)
    seen = captured.any(axis=1)
    histories = CaptureHistories.from_table(
        [f"L{j}" for j in range(len(probabilities))],
        captured[seen].astype(int),
        np.ones(seen.sum(), int),
    )

    estimate = estimate_loglinear(histories, LoglinearOptions(n_bootstrap=49, seed=seed))

    assert estimate.total is not None and np.isfinite(estimate.total)
    assert estimate.total >= estimate.documented
    assert estimate.low <= estimate.total <= estimate.high
