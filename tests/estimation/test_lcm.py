"""The latent-class (LCM) estimator: reproducible, equal to its per-record baseline, recovers a
known total, and says plainly when the data or the chains cannot carry an estimate."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from civharm.estimation.diagnostics import effective_sample_size, split_rhat
from civharm.estimation.histories import CaptureHistories
from civharm.estimation.lcm import LCMOptions, LCMOptionsError, estimate_lcm, sample_chains
from civharm.estimation.simulate import simulate_population

BENCH = Path(__file__).resolve().parents[2] / "bench" / "estimation.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_estimation", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _population(n: int, seed: int) -> CaptureHistories:
    probabilities = np.array([[0.6, 0.5, 0.55, 0.45], [0.3, 0.25, 0.35, 0.3]])
    histories, _ = simulate_population(n, probabilities, [0.6, 0.4], np.random.default_rng(seed))
    return histories


def codes(estimate) -> set[str]:
    return {warning.code for warning in estimate.warnings}


def test_seeded_runs_are_reproducible():
    histories = _population(300, seed=2)
    options = LCMOptions(iterations=200, burn_in=50, thin=2, chains=2, seed=11)
    first, again = estimate_lcm(histories, options), estimate_lcm(histories, options)
    other = estimate_lcm(histories, replace(options, seed=12))
    np.testing.assert_array_equal(first.draws, again.draws)
    assert first.total == again.total and first.details["rhat"] == again.details["rhat"]
    assert not np.array_equal(first.draws, other.draws)


@pytest.mark.slow
def test_vectorised_sampler_and_per_record_baseline_give_the_same_posterior():
    histories = CaptureHistories.from_table(
        ["A", "B", "C"],
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]],
        [30, 25, 28, 14, 16, 12, 9],
    )
    options = LCMOptions(classes=4, iterations=4_000, burn_in=400, thin=4, chains=4)
    ours = sample_chains(histories.patterns, histories.counts, options, np.random.default_rng(1))
    baseline = _bench_module().per_record_chain(
        histories.patterns,
        histories.counts,
        replace(options, chains=1),
        np.random.default_rng(2),
    )
    spread = ours.std()
    for q in (0.25, 0.5, 0.75):
        # Monte Carlo error of these quantiles is ~0.15 sd here; a wrong step moves them more.
        assert abs(np.quantile(ours, q) - np.quantile(baseline, q)) < 0.5 * spread, q
    assert 0.6 < baseline.std() / spread < 1.6


@pytest.mark.slow
def test_recovers_the_total_of_a_simulated_population():
    histories = _population(2_000, seed=7)
    estimate = estimate_lcm(histories, LCMOptions(iterations=4_000, burn_in=1_000, seed=3))
    assert estimate.method == "lcm" and estimate.documented == histories.documented
    assert estimate.low < 2_000 < estimate.high
    assert abs(estimate.total - 2_000) < 0.1 * 2_000
    assert estimate.details["rhat"] < 1.1 and estimate.details["ess"] > 100
    assert "not_converged" not in codes(estimate)
    assert len(estimate.draws) == 4 * 4_000 // 5
    assert all(0.1 < rate < 0.9 for rate in estimate.details["alpha_acceptance"])


def test_fewer_than_three_lists_is_unsupported():
    two = CaptureHistories.from_table(
        ["A", "B", "C"], [[1, 0, 0], [0, 1, 0], [1, 1, 0]], [40, 30, 10]
    )
    estimate = estimate_lcm(two)  # list C names nobody: it does not count
    assert not estimate.supported and estimate.total is None
    assert codes(estimate) == {"too_few_lists"}
    assert "at least 3 lists" in estimate.warnings[0].message


def test_lists_that_share_nobody_are_flagged():
    apart = CaptureHistories.from_table(
        ["A", "B", "C"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [60, 50, 40]
    )
    estimate = estimate_lcm(apart, LCMOptions(iterations=400, burn_in=100, chains=2, seed=1))
    assert "no_overlap" in codes(estimate)
    assert "A, B, C" in next(w.message for w in estimate.warnings if w.code == "no_overlap")


def test_a_posterior_piled_up_at_the_cap_gives_no_number():
    apart = CaptureHistories.from_table(
        ["A", "B", "C"], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [60, 50, 40]
    )
    options = LCMOptions(iterations=400, burn_in=100, chains=2, seed=1, max_total_factor=1.5)
    estimate = estimate_lcm(apart, options)
    assert "unbounded" in codes(estimate)
    assert estimate.total is None and estimate.low is None and estimate.high is None
    assert estimate.details["at_cap"] > 0.025 and estimate.draws.max() == 225


def test_short_chains_and_tiny_strata_are_flagged():
    histories = _population(20, seed=8)
    assert histories.documented < 20
    estimate = estimate_lcm(
        histories, LCMOptions(iterations=8, burn_in=0, thin=1, chains=2, seed=1)
    )
    assert {"tiny_stratum", "not_converged"} <= codes(estimate)
    assert "run longer chains" in next(
        w.message for w in estimate.warnings if w.code == "not_converged"
    )


def test_options_that_cannot_work_are_refused():
    with pytest.raises(LCMOptionsError):
        LCMOptions(classes=1)
    with pytest.raises(LCMOptionsError):
        LCMOptions(iterations=10, thin=5)


def test_rhat_and_ess_on_known_chains():
    rng = np.random.default_rng(0)
    mixed = rng.normal(size=(4, 1_000))
    assert abs(split_rhat(mixed) - 1.0) < 0.01
    assert effective_sample_size(mixed) > 3_000
    shifted = mixed + np.array([[0.0], [0.0], [0.0], [2.0]])
    assert split_rhat(shifted) > 1.1
    drifting = mixed + np.linspace(0, 3, 1_000)  # each chain wanders: only splitting sees it
    assert split_rhat(drifting) > 1.1
    sticky = np.zeros((4, 2_000))
    for t in range(1, 2_000):
        sticky[:, t] = 0.9 * sticky[:, t - 1] + rng.normal(size=4)
    assert 300 < effective_sample_size(sticky) < 700  # theory: 8,000 · 0.1 / 1.9 ≈ 421
