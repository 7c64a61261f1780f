"""Benchmark: the latent-class (LCM) Gibbs sampler on a 4-list table of 5,000 documented
people, vectorised over capture patterns, beside a same-run baseline of the same sampler
written as a per-record loop.

    .venv/bin/python bench/estimation.py                  # 10,000 iterations, K = 10
    .venv/bin/python bench/estimation.py --quick          # 1,000 iterations
    .venv/bin/python bench/estimation.py --baseline-iterations 200

One chain on one core for both. The baseline visits every person, documented or not, at every
iteration, so it runs fewer iterations (--baseline-iterations) and its time for the full run
is extrapolated linearly, as the output says. Generated people only: no name is read.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TARGET_S = 10.0
DOCUMENTED = 5_000


# --- the table --------------------------------------------------------------------------


def bench_table(seed: int):
    """Two latent classes over 4 lists, scaled so that about 5,000 people are documented."""
    from civharm.estimation.simulate import simulate_population

    probabilities = np.array([[0.45, 0.35, 0.3, 0.5], [0.15, 0.1, 0.2, 0.12]])
    weights = np.array([0.6, 0.4])
    seen = 1 - (weights * (1 - probabilities).prod(axis=1)).sum()
    return simulate_population(
        round(DOCUMENTED / seen), probabilities, weights, np.random.default_rng(seed)
    )


# --- the baseline: the same sampler, one person at a time ---------------------------------


def _categorical(weights: list[float], u: float) -> int:
    threshold, running = u * sum(weights), 0.0
    for k, weight in enumerate(weights):
        running += weight
        if threshold < running:
            return k
    return len(weights) - 1


def _log_gamma(shape: float, rng: np.random.Generator) -> float:
    """log of a Gamma(shape) draw, safe for tiny shapes (as the vectorised sampler)."""
    return math.log(rng.standard_gamma(shape + 1.0)) + math.log(rng.random()) / shape


def _alpha_target(alpha: float, sizes: list[int], a: float, b: float) -> float:
    value = (a + len(sizes) - 1.0) * math.log(alpha) - b * alpha
    for k in range(len(sizes) - 1):
        tail = alpha + sum(sizes[k + 1 :])
        value += math.lgamma(tail) - math.lgamma(tail + 1.0 + sizes[k])
    return value


def _alpha_step(alpha: float, sizes: list[int], prior, rng: np.random.Generator) -> float:
    """The vectorised sampler's Metropolis steps on log α, one chain at a time."""
    from civharm.estimation.lcm import ALPHA_STEP_SD, ALPHA_STEPS

    current = _alpha_target(alpha, sizes, *prior)
    for _ in range(ALPHA_STEPS):
        proposal = alpha * math.exp(ALPHA_STEP_SD * rng.standard_normal())
        target = _alpha_target(proposal, sizes, *prior)
        if math.log(rng.uniform()) < target - current:
            alpha, current = proposal, target
    return alpha


def per_record_chain(patterns, counts, options, rng: np.random.Generator) -> np.ndarray:
    """BASELINE: the vectorised sampler's steps with Python loops over individuals."""
    records = [
        tuple(int(v) for v in row)
        for row, c in zip(patterns, counts, strict=True)
        for _ in range(c)
    ]
    n, lists, classes = len(records), patterns.shape[1], options.classes
    cap = int(options.max_total_factor * n)
    lam = [[rng.uniform(0.05, 0.95) for _ in range(classes)] for _ in range(lists)]
    pi, alpha = [1.0 / classes] * classes, 1.0
    draws = []
    for step in range(options.burn_in + options.iterations):
        ones = [[0] * classes for _ in range(lists)]
        sizes = [0] * classes
        for record in records:  # (1) each documented person's class
            weights = [pi[k] for k in range(classes)]
            for j in range(lists):
                for k in range(classes):
                    weights[k] *= lam[j][k] if record[j] else 1.0 - lam[j][k]
            k = _categorical(weights, rng.random())
            sizes[k] += 1
            for j in range(lists):
                ones[j][k] += record[j]
        unseen = [pi[k] * math.prod(1.0 - lam[j][k] for j in range(lists)) for k in range(classes)]
        p0 = min(sum(unseen), 1 - 1e-12)
        n0 = min(int(rng.poisson(rng.standard_gamma(n) * p0 / (1 - p0))), cap - n)  # (2)
        for _ in range(n0):  # (3) each unseen person's class
            sizes[_categorical(unseen, rng.random())] += 1
        for j in range(lists):  # (4)
            for k in range(classes):
                lam[j][k] = min(
                    max(rng.beta(1 + ones[j][k], 1 + sizes[k] - ones[j][k]), 1e-12), 1 - 1e-12
                )
        alpha = _alpha_step(alpha, sizes, options.alpha_prior, rng)  # (6) α, sticks integrated out
        log_pi, rest = [], 0.0  # (5) stick-breaking given α, in logs
        for k in range(classes - 1):
            g1 = _log_gamma(1.0 + sizes[k], rng)
            g2 = _log_gamma(alpha + sum(sizes[k + 1 :]), rng)
            total = max(g1, g2) + math.log1p(math.exp(-abs(g1 - g2)))
            log_pi.append(g1 - total + rest)
            rest += g2 - total
        log_pi.append(rest)
        pi = [math.exp(v) for v in log_pi]
        kept = step - options.burn_in
        if kept >= 0 and kept % options.thin == options.thin - 1:
            draws.append(n + n0)
    return np.array(draws, dtype=float)


# --- timing --------------------------------------------------------------------------------


def time_vectorised(histories, iterations: int, seed: int) -> tuple[float, float]:
    from civharm.estimation.lcm import LCMOptions, sample_chains

    options = LCMOptions(iterations=iterations, burn_in=0, thin=1, chains=1)
    started = time.perf_counter()
    draws = sample_chains(
        histories.patterns, histories.counts, options, np.random.default_rng(seed)
    )
    return time.perf_counter() - started, float(np.median(draws[0, iterations // 2 :]))


def time_baseline(histories, iterations: int, seed: int) -> tuple[float, float]:
    from civharm.estimation.lcm import LCMOptions

    options = LCMOptions(iterations=iterations, burn_in=0, thin=1, chains=1)
    started = time.perf_counter()
    draws = per_record_chain(
        histories.patterns, histories.counts, options, np.random.default_rng(seed)
    )
    return time.perf_counter() - started, float(np.median(draws[iterations // 2 :]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--baseline-iterations", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="1,000 iterations, baseline 20")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.quick:
        args.iterations, args.baseline_iterations = 1_000, 20
    histories, total = bench_table(args.seed)
    ours, our_median = time_vectorised(histories, args.iterations, args.seed)
    base, base_median = time_baseline(histories, args.baseline_iterations, args.seed)
    base_full = base / args.baseline_iterations * args.iterations
    print(
        f"table:                     {len(histories.lists)} lists, "
        f"{histories.documented:,} documented (true N {total:,}), "
        f"{len(histories.patterns)} patterns; K = 10, one chain, one core"
    )
    print(
        f"vectorised (civharm):      {ours:>8.2f} s for {args.iterations:,} iterations, "
        f"{args.iterations / ours:>8,.0f} iterations/s (target < {TARGET_S:.0f} s)"
    )
    print(
        f"baseline per-record loop:  {base_full:>8.2f} s for {args.iterations:,} iterations, "
        f"{args.baseline_iterations / base:>8,.0f} iterations/s "
        f"(EXTRAPOLATED from {args.baseline_iterations:,} iterations in {base:.2f} s)"
    )
    print(f"speed-up:                  {base_full / ours:.0f}x")
    print(
        f"posterior median of N (second half of each run): vectorised {our_median:,.0f}, "
        f"baseline {base_median:,.0f} (short baseline run: indicative only)"
    )
    ok = ours < TARGET_S * args.iterations / 10_000
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.exit(main())
