"""Simulated populations with a known total, to test estimators and measure their coverage.

Heterogeneous capture (latent classes with their own list probabilities) and optional direct
dependence between two lists. Generated people only: never reads or produces a name.

    python -m civharm.estimation.simulate --study --runs 100
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from civharm.estimation.histories import CaptureHistories
from civharm.estimation.lcm import RHAT_LIMIT, LCMOptions, estimate_lcm


class SimulationError(ValueError):
    """Class weights and list probabilities that do not describe a population."""


@dataclass(frozen=True)
class ListDependence:
    """Being on list `first` multiplies the odds of being on list `second` by `odds_ratio`."""

    first: int
    second: int
    odds_ratio: float


def simulate_population(
    n: int,
    list_probabilities: np.ndarray,
    class_weights: np.ndarray,
    rng: np.random.Generator,
    dependence: ListDependence | None = None,
) -> tuple[CaptureHistories, int]:
    """N people in latent classes; each list names each person independently within a class
    (apart from `dependence`). Returns the histories of those named at least once, and N."""
    probabilities = np.atleast_2d(np.asarray(list_probabilities, dtype=float))
    weights = np.asarray(class_weights, dtype=float)
    if probabilities.shape[0] != len(weights) or not np.isclose(weights.sum(), 1.0):
        raise SimulationError("One weight per latent class, summing to 1.")
    if probabilities.min() < 0 or probabilities.max() > 1:
        raise SimulationError("List probabilities lie between 0 and 1.")
    classes = rng.choice(len(weights), size=n, p=weights)
    chance = probabilities[classes]
    if dependence is not None:
        on_first = rng.random(n) < chance[:, dependence.first]
        odds = chance[:, dependence.second] / (1 - chance[:, dependence.second])
        boosted = odds * dependence.odds_ratio
        chance[:, dependence.second] = np.where(
            on_first, boosted / (1 + boosted), chance[:, dependence.second]
        )
        captured = rng.random(chance.shape) < chance
        captured[:, dependence.first] = on_first
    else:
        captured = rng.random(chance.shape) < chance
    lists = tuple(chr(ord("A") + j) for j in range(probabilities.shape[1]))
    patterns, counts = np.unique(captured.astype(np.uint8), axis=0, return_counts=True)
    return CaptureHistories.from_table(lists, patterns, counts), n


@dataclass(frozen=True)
class Scenario:
    total: int
    list_probabilities: np.ndarray
    class_weights: np.ndarray
    dependence: ListDependence | None


def random_scenario(rng: np.random.Generator, direct_dependence: bool = False) -> Scenario:
    """The study's populations: N 1,000–3,000, 4–5 lists, 2–3 latent classes, one class seen
    often and the others rarely (so capture is heterogeneous and the lists dependent)."""
    total = int(rng.integers(1_000, 3_001))
    lists = int(rng.integers(4, 6))
    classes = int(rng.integers(2, 4))
    weights = rng.dirichlet(np.full(classes, 4.0))
    high = rng.uniform(0.3, 0.6, size=(1, lists))
    low = rng.uniform(0.1, 0.35, size=(classes - 1, lists))
    dependence = ListDependence(0, 1, 3.0) if direct_dependence else None
    return Scenario(total, np.vstack([high, low]), weights, dependence)


@dataclass(frozen=True)
class StudyResult:
    runs: int
    covered: int
    mean_relative_width: float  # (high − low) / N
    median_relative_error: float  # |median − N| / N
    not_converged: int  # runs warned "not_converged" (R-hat > 1.1 or ESS < 100)
    rhat_above: int  # of which R-hat > 1.1
    median_ess: float
    unsupported: int
    seconds: float

    @property
    def coverage(self) -> float:
        return self.covered / self.runs


@dataclass(frozen=True)
class RunOutcome:
    total: int
    low: float | None
    high: float | None
    median: float | None
    converged: bool
    rhat: float
    ess: float


def study_run(seed: int, run: int, options: LCMOptions, direct_dependence: bool) -> RunOutcome:
    """One simulated population and its LCM estimate; seeded by (seed, run) alone, so runs
    give the same result in any order or process."""
    rng = np.random.default_rng([seed, run])
    scenario = random_scenario(rng, direct_dependence)
    histories, total = simulate_population(
        scenario.total, scenario.list_probabilities, scenario.class_weights, rng,
        scenario.dependence,
    )  # fmt: skip
    run_options = replace(options, seed=int(rng.integers(2**32)))
    estimate = estimate_lcm(histories, run_options)
    converged = not any(w.code == "not_converged" for w in estimate.warnings)
    rhat, ess = estimate.details.get("rhat", np.nan), estimate.details.get("ess", np.nan)
    return RunOutcome(total, estimate.low, estimate.high, estimate.total, converged, rhat, ess)


def run_study(
    runs: int, seed: int, options: LCMOptions, direct_dependence: bool = False, workers: int = 1
) -> StudyResult:
    """Simulate `runs` populations, estimate each with the LCM, and score the intervals."""
    started = time.perf_counter()
    arguments = [(seed, run, options, direct_dependence) for run in range(runs)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            outcomes = list(pool.map(study_run, *zip(*arguments, strict=True)))
    else:
        outcomes = [study_run(*a) for a in arguments]
    scored = [o for o in outcomes if o.low is not None and o.high is not None and o.median]
    return StudyResult(
        runs,
        sum(o.low <= o.total <= o.high for o in scored),  # type: ignore[operator]
        float(np.mean([(o.high - o.low) / o.total for o in scored])),  # type: ignore[operator]
        float(np.median([abs(o.median - o.total) / o.total for o in scored])),  # type: ignore[operator]
        sum(not o.converged for o in outcomes),
        sum(o.rhat > RHAT_LIMIT for o in outcomes),
        float(np.median([o.ess for o in outcomes])),
        runs - len(scored),
        time.perf_counter() - started,
    )


STUDY_OPTIONS = LCMOptions(iterations=3_000, burn_in=1_000, thin=3, chains=4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coverage study of the latent-class estimator.")
    parser.add_argument("--study", action="store_true", help="run the simulation study")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=STUDY_OPTIONS.iterations)
    parser.add_argument("--burn-in", type=int, default=STUDY_OPTIONS.burn_in)
    parser.add_argument("--thin", type=int, default=STUDY_OPTIONS.thin)
    parser.add_argument("--chains", type=int, default=STUDY_OPTIONS.chains)
    parser.add_argument("--dependence", action="store_true", help="add direct A→B dependence")
    parser.add_argument("--workers", type=int, default=1, help="processes (one run each)")
    args = parser.parse_args(argv)
    if not args.study:
        parser.print_help()
        return 2
    options = LCMOptions(
        iterations=args.iterations, burn_in=args.burn_in, thin=args.thin, chains=args.chains
    )
    result = run_study(args.runs, args.seed, options, args.dependence, args.workers)
    print(f"runs:                   {result.runs} (seed {args.seed}, {args.workers} processes)")
    print(
        f"sampler:                {options.chains} chains x ({options.burn_in:,} burn-in + "
        f"{options.iterations:,} iterations, thin {options.thin}), K = {options.classes}"
    )
    print(
        f"populations:            {'direct A-B dependence, ' if args.dependence else ''}"
        "N 1,000-3,000, 4-5 lists, 2-3 latent classes"
    )
    print(f"95% interval coverage:  {result.coverage:.1%} ({result.covered}/{result.runs})")
    print(f"mean interval width:    {result.mean_relative_width:.1%} of N")
    print(f"median relative error:  {result.median_relative_error:.1%}")
    print(
        f"not converged warnings: {result.not_converged} (R-hat > {RHAT_LIMIT}: "
        f"{result.rhat_above}); median ESS {result.median_ess:.0f}; no estimate: "
        f"{result.unsupported}"
    )
    print(f"seconds:                {result.seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
