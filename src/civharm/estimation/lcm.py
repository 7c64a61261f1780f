"""Bayesian non-parametric latent-class model of Manrique-Vallier (2016) for population size.

A truncated Dirichlet-process mixture of classes with independent list captures, p(N) ∝ 1/N,
as in the R package LCMCR; a Gibbs sampler vectorised over capture patterns and chains. R-hat
and ESS always: it never returns a number from chains that disagree without saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from civharm.core.i18n import N_, _
from civharm.estimation.diagnostics import effective_sample_size, split_rhat
from civharm.estimation.histories import CaptureHistories
from civharm.estimation.results import Estimate, EstimationWarning, unsupported, warning

MIN_LISTS = 3
RHAT_LIMIT = 1.1
ESS_MINIMUM = 100
TINY_STRATUM = 20
UNBOUNDED_FACTOR = 100  # an upper bound past 100 × documented is no bound at all
ALPHA_STEPS = 2  # Metropolis steps on α a sweep: cheap next to the class draws
ALPHA_STEP_SD = 1.0  # on log α: the posterior of α spans orders of magnitude
_EDGE = 1e-12  # keeps log(λ) and log(1 − λ) finite when a Beta draw rounds to 0 or 1


class LCMOptionsError(ValueError):
    """Sampler settings that cannot work (no classes, fewer draws than chains need…)."""


@dataclass(frozen=True)
class LCMOptions:
    """`iterations` are kept per chain after `burn_in`; every `thin`-th one is a draw.

    N is capped at `max_total_factor` × documented so that an unidentified table piles its
    posterior up at the cap (and is reported as unbounded) instead of overflowing.
    """

    classes: int = 10
    iterations: int = 10_000
    burn_in: int = 2_000
    thin: int = 5
    chains: int = 4
    seed: int | None = None
    alpha_prior: tuple[float, float] = (0.25, 0.25)
    max_total_factor: float = 1_000.0

    def __post_init__(self) -> None:
        if self.classes < 2 or self.chains < 1 or self.thin < 1 or self.burn_in < 0:
            raise LCMOptionsError("classes ≥ 2, chains and thin ≥ 1, burn_in ≥ 0.")
        if self.iterations // self.thin < 4:
            raise LCMOptionsError("Each chain needs at least 4 draws (iterations / thin).")
        if min(self.alpha_prior) <= 0 or self.max_total_factor <= 1:
            raise LCMOptionsError("alpha_prior must be positive and max_total_factor > 1.")


@dataclass
class _State:
    """All chains' current values, chains first: λ (lists × classes), log π, α, n0."""

    log_lam: np.ndarray
    log_not: np.ndarray
    log_pi: np.ndarray
    alpha: np.ndarray
    n0: np.ndarray
    accepted: np.ndarray  # running sum of α's Metropolis acceptance rates, per chain


def estimate_lcm(histories: CaptureHistories, options: LCMOptions | None = None) -> Estimate:
    """Posterior median of the total and its 95% equal-tailed credible interval."""
    options = options or LCMOptions()
    histories = histories.without_empty_lists()
    documented = histories.documented
    if len(histories.lists) < MIN_LISTS or documented == 0:
        return unsupported("lcm", documented, _too_few_lists(len(histories.lists)))
    rng = np.random.default_rng(options.seed)
    chains, acceptance = _run_chains(histories.patterns, histories.counts, options, rng)
    return _summarise(histories, chains, acceptance, options)


def sample_chains(
    patterns: np.ndarray, counts: np.ndarray, options: LCMOptions, rng: np.random.Generator
) -> np.ndarray:
    """Thinned posterior draws of N, (chains, draws), burn-in discarded."""
    return _run_chains(patterns, counts, options, rng)[0]


def _run_chains(
    patterns: np.ndarray, counts: np.ndarray, options: LCMOptions, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Draws of N (chains, draws) and each chain's acceptance rate of its α moves.

    The chains are independent but advance together, one array operation for all of them:
    at these sizes numpy's per-call overhead, not arithmetic, is what costs.
    """
    x = patterns.astype(float)
    counts = counts.astype(np.int64)
    documented = int(counts.sum())
    cap = int(options.max_total_factor * documented)
    state = _initial_state(options.chains, x.shape[1], options.classes, rng)
    draws = np.empty((options.chains, options.iterations // options.thin))
    sweeps = options.burn_in + options.iterations
    for step in range(sweeps):
        _gibbs_step(state, x, counts, documented, cap, options.alpha_prior, rng)
        kept = step - options.burn_in
        if kept >= 0 and kept % options.thin == options.thin - 1:
            draws[:, kept // options.thin] = documented + state.n0
    return draws, state.accepted / sweeps


def _initial_state(chains: int, lists: int, classes: int, rng: np.random.Generator) -> _State:
    """Capture probabilities spread over (0, 1) at random, so that chains start apart."""
    lam = rng.uniform(0.05, 0.95, size=(chains, lists, classes))
    log_pi = np.full((chains, classes), -np.log(classes))
    zeros = np.zeros(chains, dtype=np.int64)
    return _State(np.log(lam), np.log1p(-lam), log_pi, np.ones(chains), zeros, np.zeros(chains))


def _gibbs_step(
    state: _State,
    x: np.ndarray,
    counts: np.ndarray,
    documented: int,
    cap: int,
    alpha_prior: tuple[float, float],
    rng: np.random.Generator,
) -> None:
    """One sweep: classes of the documented, (n0, their classes), λ, π, α."""
    # (1) The people sharing a pattern share its class probabilities: one multinomial each.
    log_w = x @ state.log_lam + (1.0 - x) @ state.log_not + state.log_pi[:, None, :]
    weights = np.exp(log_w - log_w.max(axis=2, keepdims=True))
    in_class = rng.multinomial(counts, weights / weights.sum(axis=2, keepdims=True))
    # (2) n0 given λ and π, with their classes integrated out; then (3) their classes.
    log_unseen = state.log_not.sum(axis=1) + state.log_pi
    top = log_unseen.max(axis=1, keepdims=True)
    unseen = np.exp(log_unseen - top)
    total = unseen.sum(axis=1, keepdims=True)
    state.n0 = _draw_unobserved(documented, (top + np.log(total))[:, 0], cap, rng)
    unseen_in_class = rng.multinomial(state.n0, unseen / total)
    # (4) λ from the class × list tables of captures and misses; (6) then (5): α with the
    # sticks integrated out, then the sticks given α. α drawn given the sticks (LCMCR's step)
    # feeds back on them and drifts for thousands of iterations, and N drifts with it.
    captured = x.T @ in_class
    class_sizes = in_class.sum(axis=1) + unseen_in_class
    later = class_sizes[:, ::-1].cumsum(axis=1)[:, ::-1] - class_sizes
    state.alpha, accepted = _update_alpha(state.alpha, class_sizes, later, alpha_prior, rng)
    state.accepted += accepted
    # One gamma call for λ and the sticks: per-call overhead is most of numpy's cost here.
    shapes = np.concatenate(
        [1.0 + captured.ravel(), 1.0 + (class_sizes[:, None, :] - captured).ravel(),
         2.0 + class_sizes[:, :-1].ravel(), 1.0 + (state.alpha[:, None] + later[:, :-1]).ravel()]
    )  # fmt: skip
    gammas = rng.standard_gamma(shapes)
    size = captured.size
    lam = gammas[:size] / (gammas[:size] + gammas[size : 2 * size])
    lam = np.clip(lam, _EDGE, 1 - _EDGE).reshape(captured.shape)
    state.log_lam, state.log_not = np.log(lam), np.log1p(-lam)
    sticks = gammas[2 * size :].reshape(2, *later[:, :-1].shape)
    state.log_pi = _stick_breaking(sticks, class_sizes, later, state.alpha, rng)


def _update_alpha(
    alpha: np.ndarray,
    class_sizes: np.ndarray,
    later: np.ndarray,
    prior: tuple[float, float],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Metropolis steps on log α targeting p(α | class sizes) ∝ Gamma(a, b) · Π_k α·B(1 + n_k,
    α + n_{>k}), the truncated stick-breaking prior with its sticks integrated out."""
    a, b = prior
    accepted = np.zeros(len(alpha))
    current = _log_alpha_target(alpha, class_sizes, later, a, b)
    for _step in range(ALPHA_STEPS):
        proposal = alpha * np.exp(ALPHA_STEP_SD * rng.standard_normal(len(alpha)))
        target = _log_alpha_target(proposal, class_sizes, later, a, b)
        accept = np.log(rng.uniform(size=len(alpha))) < target - current
        alpha = np.where(accept, proposal, alpha)
        current = np.where(accept, target, current)
        accepted += accept
    return alpha, accepted / ALPHA_STEPS


def _log_alpha_target(
    alpha: np.ndarray, class_sizes: np.ndarray, later: np.ndarray, a: float, b: float
) -> np.ndarray:
    """log p(α | sizes) + log α (the Jacobian of the walk on log α), up to a constant."""
    tails = alpha[:, None] + later[:, :-1]
    likelihood = gammaln(tails) - gammaln(tails + 1.0 + class_sizes[:, :-1])
    classes = class_sizes.shape[1]
    return (a + classes - 1.0) * np.log(alpha) - b * alpha + likelihood.sum(axis=1)


def _draw_unobserved(
    documented: int, log_p0: np.ndarray, cap: int, rng: np.random.Generator
) -> np.ndarray:
    """n0 ~ NegBin(n, 1 − p0): the conditional under the prior p(N) ∝ 1/N (LCMCR's sam_n0).

    Drawn as its gamma–Poisson mixture so that a p0 near 1 cannot overflow; clipped at the cap.
    """
    p0 = np.minimum(np.exp(log_p0), 1 - _EDGE)
    rate = np.minimum(rng.standard_gamma(documented, size=len(p0)) * p0 / (1 - p0), cap)
    return np.minimum(rng.poisson(rate), cap - documented)


def _stick_breaking(
    gammas: np.ndarray,
    class_sizes: np.ndarray,
    later: np.ndarray,
    alpha: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """log π from V_k ~ Beta(1 + n_k, α + n_{>k}), in logs so tiny weights stay positive.

    `gammas` (2, chains, K − 1) are Gamma(shape + 1) draws for both shapes; G(a) =
    G(a + 1)·U^(1/a) then gives the log of a Gamma(a) draw without underflow when α is tiny.
    """
    shapes = np.stack([1.0 + class_sizes[:, :-1], alpha[:, None] + later[:, :-1]])
    logs = np.log(gammas) + np.log(rng.uniform(size=shapes.shape)) / shapes
    log_sum = np.logaddexp(logs[0], logs[1])
    log_v, log_rest = logs[0] - log_sum, logs[1] - log_sum
    before = np.cumsum(log_rest, axis=1)
    log_pi = np.concatenate([log_v, before[:, -1:]], axis=1)
    log_pi[:, 1:-1] += before[:, :-1]
    return log_pi


def _summarise(
    histories: CaptureHistories, chains: np.ndarray, acceptance: np.ndarray, options: LCMOptions
) -> Estimate:
    documented = histories.documented
    pooled = chains.ravel()
    low, total, high = np.quantile(pooled, [0.025, 0.5, 0.975])
    rhat, ess = split_rhat(chains), effective_sample_size(chains)
    cap = options.max_total_factor * documented
    details = {
        "rhat": rhat,
        "ess": ess,
        "chains": options.chains,
        "draws_per_chain": chains.shape[1],
        "chain_medians": [float(m) for m in np.median(chains, axis=1)],
        # Every Gibbs draw is accepted; only α moves by Metropolis (about 0.2–0.7 is healthy).
        "alpha_acceptance": [float(a) for a in acceptance],
        "at_cap": float(np.mean(pooled >= cap)),
        "quantiles": {"2.5%": float(low), "50%": float(total), "97.5%": float(high)},
    }
    warnings = _warnings(histories, rhat, ess)
    model = _("latent classes K={classes}, {chains} chains").format(
        classes=options.classes, chains=options.chains
    )
    # Unbounded: the interval runs past any plausible total, or the draws pile up at the cap.
    if high > UNBOUNDED_FACTOR * documented or details["at_cap"] > 0.025:
        warnings.append(_unbounded(high, documented))
        return Estimate(
            "lcm", documented, None, None, None, model, pooled, details, tuple(warnings)
        )
    return Estimate(
        "lcm", documented, float(total), float(low), float(high), model, pooled, details,
        tuple(warnings),
    )  # fmt: skip


def _warnings(histories: CaptureHistories, rhat: float, ess: float) -> list[EstimationWarning]:
    warnings = []
    if rhat > RHAT_LIMIT or ess < ESS_MINIMUM:
        message = N_(
            "The sampler's chains do not agree yet (R-hat {rhat}, effective sample size "
            "{ess}): run longer chains before relying on this estimate."
        )
        warnings.append(warning("not_converged", message, rhat=f"{rhat:.2f}", ess=f"{ess:.0f}"))
    if histories.documented < TINY_STRATUM:
        message = N_(
            "Only {n} people are documented here: too few for a reliable estimate; "
            "combine this stratum with others."
        )
        warnings.append(warning("tiny_stratum", message, n=histories.documented))
    isolated = _isolated_lists(histories)
    if isolated:
        message = N_(
            "No one on {lists} appears on any other list: the estimate cannot tell how much "
            "these lists miss and leans on the model's assumptions."
        )
        warnings.append(warning("no_overlap", message, lists=", ".join(isolated)))
    return warnings


def _isolated_lists(histories: CaptureHistories) -> list[str]:
    """Lists that share nobody with any other list."""
    shared = histories.patterns[histories.patterns.sum(axis=1) >= 2]
    overlapping = shared.any(axis=0) if len(shared) else np.zeros(len(histories.lists), bool)
    return [name for name, seen in zip(histories.lists, overlapping, strict=True) if not seen]


def _too_few_lists(count: int) -> EstimationWarning:
    message = N_(
        "The latent-class model needs at least 3 lists that name someone; there are {count}."
    )
    return warning("too_few_lists", message, count=count)


def _unbounded(high: float, documented: int) -> EstimationWarning:
    message = N_(
        "The data do not bound the total: the upper end of the interval reaches {high}, "
        "for {documented} people documented. No estimate is given; more lists that overlap "
        "would help."
    )
    return warning("unbounded", message, high=f"{high:.0f}", documented=documented)
