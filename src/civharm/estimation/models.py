"""Poisson log-linear models of a capture-history table: terms, design, fit, existence of the MLE.

Numerical core of the log-linear estimator; knows nothing of lists' names or of people, and never
returns a fit whose estimate of the unobserved cell is not a finite maximum-likelihood value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import brentq, linprog, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2

Term = tuple[int, ...]  # lists (column indices) that interact; (j,) is a main effect
LARGE_COEFFICIENT = 20.0  # |u| beyond this means the fit walked off to infinity
MAX_ITERATIONS = 60
# Newton decrement (expected gain in log-likelihood) that counts as converged; small enough
# that a fit walking off to infinity passes LARGE_COEFFICIENT before it stops.
DECREMENT = 1e-10
SMALL_TABLE_CELLS = 2**10 - 1
PROFILE_DROP = float(chi2.ppf(0.95, 1)) / 2  # 1.92: the 95% profile-likelihood cut-off


class FitDidNotConverge(ArithmeticError):
    """IRLS diverged: the likelihood has no maximum in the interior (the MLE does not exist)."""


@dataclass(frozen=True)
class Fit:
    """A fitted model: coefficients (intercept first), fitted means of the observed cells."""

    terms: tuple[Term, ...]
    beta: np.ndarray
    fitted: np.ndarray
    observed: np.ndarray
    loglik: float

    @property
    def deviance(self) -> float:
        """Twice the log-likelihood ratio against the saturated model (computed on demand:
        the bootstrap fits thousands of models and never asks)."""
        y, mu = self.observed, self.fitted
        positive = y > 0
        ratio = (y[positive] * np.log(y[positive] / mu[positive])).sum()
        return max(2 * float(ratio - (y - mu).sum()), 0.0)

    @property
    def unobserved(self) -> float:
        """Expected count of the all-zero capture pattern: exp(intercept)."""
        return float(np.exp(self.beta[0]))

    @property
    def n_parameters(self) -> int:
        return len(self.beta)


def term_label(term: Term, lists: tuple[str, ...]) -> str:
    return "[" + ",".join(lists[j] for j in term) + "]"


def model_label(terms: Iterable[Term], lists: tuple[str, ...]) -> str:
    """Hierarchical notation: the interactions only, e.g. "[A,B][B,C]"; "independence" if none."""
    interactions = [term_label(t, lists) for t in sorted(terms) if len(t) > 1]
    return "".join(interactions) or "independence"


def design(patterns: np.ndarray, terms: Iterable[Term]) -> np.ndarray:
    """Columns: intercept, then one 0/1 column per term (product of its lists' indicators)."""
    columns = [np.ones(len(patterns))]
    columns += [patterns[:, list(term)].prod(axis=1) for term in terms]
    return np.column_stack(columns).astype(float)


def main_effects(n_lists: int) -> tuple[Term, ...]:
    return tuple((j,) for j in range(n_lists))


def candidate_terms(
    terms: tuple[Term, ...], max_order: int, overlap: np.ndarray, documented: float
) -> list[Term]:
    """Interactions that may be added next while keeping the model hierarchical.

    A term is a candidate when every sub-term one order lower is already in the model and,
    for a pair of lists, when all four cells of their observed 2x2 margin hold someone: a
    pair with nobody on both (or one list inside the other) sends the MLE to infinity.
    """
    present = set(terms)
    found = []
    for order in range(2, max_order + 1):
        for term in combinations(range(len(overlap)), order):
            if term in present or any(overlap[a, b] == 0 for a, b in combinations(term, 2)):
                continue
            if order == 2 and not _pair_margins_positive(overlap, documented, *term):
                continue
            if all(sub in present for sub in combinations(term, order - 1)):
                found.append(term)
    return found


def _pair_margins_positive(overlap: np.ndarray, documented: float, a: int, b: int) -> bool:
    """overlap[a, a] is list a's size, overlap[a, b] the people on both."""
    both = overlap[a, b]
    only_a, only_b = overlap[a, a] - both, overlap[b, b] - both
    neither = documented - overlap[a, a] - overlap[b, b] + both
    return bool(both > 0 and only_a > 0 and only_b > 0 and neither > 0)


def fit_poisson(
    x: np.ndarray, y: np.ndarray, terms: tuple[Term, ...], start: np.ndarray | None = None
) -> Fit:
    """Maximum likelihood by IRLS (Newton) with step halving; raises FitDidNotConverge."""
    beta = _starting_values(x, y) if start is None else start.copy()
    eta = x @ beta
    loglik = _loglik(y, eta)
    for _iteration in range(MAX_ITERATIONS):
        mu = np.exp(eta)
        gradient = x.T @ (y - mu)
        information = (x * mu[:, None]).T @ x
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            raise FitDidNotConverge("singular information matrix") from None
        if gradient @ step < DECREMENT:
            return _finished(terms, y, beta, eta, loglik)
        beta, eta, new_loglik = _halving(x, y, beta, step, loglik)
        if np.abs(beta[1:]).max(initial=0.0) > LARGE_COEFFICIENT:
            raise FitDidNotConverge("coefficients diverge")
        if new_loglik == loglik:  # rounding: no step improves the likelihood any more
            return _finished(terms, y, beta, eta, loglik)
        loglik = new_loglik
    raise FitDidNotConverge("no convergence")


def fit_poisson_extended(
    x: np.ndarray,
    extras: np.ndarray,
    y: np.ndarray,
    models: list[tuple[Term, ...]],
    start: np.ndarray,
) -> list[Fit | None]:
    """Fit K models at once, each `x` plus one column of `extras`, warm-started at `start`.

    The candidates of one step of a model search differ by one column, so one batched Newton
    loop replaces K small ones (the bootstrap re-runs the search hundreds of times), and the
    shared columns turn every product into one matrix multiplication. A candidate whose fit
    diverges (no MLE) comes back as None.
    """
    batch = _Batch(x, extras.T.astype(float), y)
    beta = np.tile(np.append(start, 0.0), (len(batch.extras), 1))
    eta = batch.eta(beta)
    loglik = _batch_loglik(y, eta)
    running = np.ones(len(beta), dtype=bool)
    for _iteration in range(MAX_ITERATIONS):
        information, gradient = batch.newton(np.exp(eta))
        step = _batch_solve(information, gradient)
        running &= np.einsum("kp,kp->k", gradient, step) >= DECREMENT
        step[~running] = 0.0
        beta, eta, new_loglik = _batch_halving(batch, beta, step, loglik)
        running &= (new_loglik != loglik) & (np.abs(beta[:, 1:]).max(axis=1) <= LARGE_COEFFICIENT)
        loglik = new_loglik
        if not running.any():
            break
    fine = (np.abs(beta[:, 1:]).max(axis=1) <= LARGE_COEFFICIENT) & ~running
    return [
        _finished(models[k], y, beta[k], eta[k], float(loglik[k])) if fine[k] else None
        for k in range(len(beta))
    ]


class _Batch:
    """K designs [x | extras[k]] sharing x: the Newton pieces as plain matrix products."""

    def __init__(self, x: np.ndarray, extras: np.ndarray, y: np.ndarray) -> None:
        self.x, self.extras, self.y = x, extras, y
        n_cells, n_shared = x.shape
        # Small tables: one product with all column pairs beats K products; large tables
        # (eleven lists or more) would spend more time reading that pairs matrix.
        self.pairs = None
        if n_cells <= SMALL_TABLE_CELLS:
            self.pairs = (x[:, :, None] * x[:, None, :]).reshape(n_cells, n_shared * n_shared)

    def eta(self, beta: np.ndarray) -> np.ndarray:
        return beta[:, :-1] @ self.x.T + beta[:, -1:] * self.extras

    def _shared_block(self, mu: np.ndarray) -> np.ndarray:
        n_shared = self.x.shape[1]
        if self.pairs is not None:
            return (mu @ self.pairs).reshape(len(mu), n_shared, n_shared)
        return np.stack([(self.x * row[:, None]).T @ self.x for row in mu])

    def newton(self, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Information matrices (K, p+1, p+1) and gradients (K, p+1) at fitted means mu."""
        n_models, n_shared = len(mu), self.x.shape[1]
        residual = self.y - mu
        gradient = np.hstack([residual @ self.x, (residual * self.extras).sum(axis=1)[:, None]])
        on_extra = mu * self.extras  # the extra columns are 0/1, so their squares are themselves
        information = np.empty((n_models, n_shared + 1, n_shared + 1))
        information[:, :-1, :-1] = self._shared_block(mu)
        information[:, -1, :-1] = information[:, :-1, -1] = on_extra @ self.x
        information[:, -1, -1] = on_extra.sum(axis=1)
        return information, gradient


def _batch_solve(information: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(information, gradient[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        # One singular candidate must not sink the others: a pseudo-inverse step stalls it.
        return np.einsum("kpq,kq->kp", np.linalg.pinv(information), gradient)


def _batch_halving(
    batch: _Batch, beta: np.ndarray, step: np.ndarray, loglik: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scale = np.ones(len(beta))
    for _ in range(30):
        candidate = beta + scale[:, None] * step
        eta = batch.eta(candidate)
        new = _batch_loglik(batch.y, eta)
        worse = new < loglik
        if not worse.any():
            return candidate, eta, new
        scale[worse] /= 2
    candidate = np.where(worse[:, None], beta, candidate)
    eta = batch.eta(candidate)
    return candidate, eta, _batch_loglik(batch.y, eta)


def _batch_loglik(y: np.ndarray, eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        value = eta @ y - np.exp(eta).sum(axis=1)
    return np.where(np.isfinite(value), value, -np.inf)


def _starting_values(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares on log(y + 0.5): close enough that Newton converges in a few steps."""
    beta, *_ = np.linalg.lstsq(x, np.log(y + 0.5), rcond=None)
    return beta


def _halving(
    x: np.ndarray, y: np.ndarray, beta: np.ndarray, step: np.ndarray, loglik: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Newton's step, halved until the likelihood does not decrease (it always can)."""
    for _ in range(30):
        candidate = beta + step
        eta = x @ candidate
        new = _loglik(y, eta)
        if new > loglik:
            return candidate, eta, new
        step = step / 2
    return beta, x @ beta, loglik


def _loglik(y: np.ndarray, eta: np.ndarray) -> float:
    """Poisson log-likelihood without the constant -sum(log y!)."""
    with np.errstate(over="ignore"):
        value = float(y @ eta - np.exp(eta).sum())
    return value if np.isfinite(value) else -np.inf


def _finished(
    terms: tuple[Term, ...], y: np.ndarray, beta: np.ndarray, eta: np.ndarray, loglik: float
) -> Fit:
    return Fit(terms, beta, np.exp(eta), y, loglik)


def margins_positive(patterns: np.ndarray, y: np.ndarray, terms: Iterable[Term]) -> bool:
    """Quick necessary condition for the MLE: each interaction's 2x2 observed margins are > 0.

    A pair of lists with nobody on both, or one list inside the other, sends that interaction
    to ±infinity; cheap enough to run on every bootstrap replicate.
    """
    for term in terms:
        if len(term) < 2:
            continue
        inside = patterns[:, list(term)].prod(axis=1) > 0
        if y[inside].sum() == 0:
            return False
        for j in term:
            if y[(patterns[:, j] == 1) & ~inside].sum() == 0:
                return False
    return True


def mle_exists(x: np.ndarray, y: np.ndarray) -> bool:
    """Haberman's condition, checked by linear programming (as Chan, Silverman & Vincent 2021).

    The Poisson MLE exists iff some strictly positive table z has the same sufficient
    statistics as the data (x'z = x'y). Writing z = s + t with s >= 0, maximise t <= 1
    subject to x's + t x'1 = x'y: the MLE exists iff the optimum t is positive.
    """
    n_cells = x.shape[0]
    cost = np.zeros(n_cells + 1)
    cost[-1] = -1.0
    equality = np.hstack([x.T, x.sum(axis=0)[:, None]])
    bounds = [(0.0, None)] * n_cells + [(None, 1.0)]
    result = linprog(cost, A_eq=equality, b_eq=x.T @ y, bounds=bounds, method="highs")
    return bool(result.status == 0 and -result.fun > 1e-7)


def profile_interval(
    patterns: np.ndarray, y: np.ndarray, fit: Fit, ceiling: float
) -> tuple[float | None, float | None]:
    """Values of N whose multinomial profile log-likelihood is within 1.92 of its maximum.

    The unobserved count m is treated as known, the model refitted to the complete table,
    and the multinomial likelihood of N = documented + m evaluated (Cormack 1992). The upper
    end is None when the likelihood has not dropped enough by N = documented + `ceiling`.
    """
    profile = _Profile(patterns, y, fit)
    documented = profile.documented
    best = minimize_scalar(
        lambda m: -profile.loglik(m),
        bounds=(0.0, min(ceiling, 10 * fit.unobserved + 10)),
        method="bounded",
        options={"xatol": 0.01},
    )
    m_hat, top = float(best.x), -float(best.fun)

    def gap(m: float) -> float:
        return profile.loglik(m) - (top - PROFILE_DROP)

    low = documented if gap(0.0) > 0 else documented + brentq(gap, 0.0, m_hat, xtol=0.01)
    upper = max(2 * m_hat, 10.0)
    while gap(upper) > 0:
        if upper > ceiling:
            return low, None
        upper *= 2
    return low, documented + brentq(gap, m_hat, upper, xtol=0.01)


class _Profile:
    """The multinomial log-likelihood of N = documented + m, maximised over the model."""

    def __init__(self, patterns: np.ndarray, y: np.ndarray, fit: Fit) -> None:
        self.y = y
        self.documented = float(y.sum())
        unobserved = np.zeros((1, patterns.shape[1]), dtype=patterns.dtype)
        self.x = design(np.vstack([unobserved, patterns]), fit.terms)
        self.terms = fit.terms
        self.start = fit.beta.copy()
        self.constant = float(gammaln(y + 1).sum())

    def loglik(self, m: float) -> float:
        y = np.concatenate([[m], self.y])
        try:
            refit = fit_poisson(self.x, y, self.terms, self.start)
        except FitDidNotConverge:
            return -np.inf
        self.start = refit.beta  # neighbouring m: the next fit starts close by
        n = self.documented + m
        log_p = np.log(refit.fitted / n)
        return float(gammaln(n + 1) - gammaln(m + 1) - self.constant + y @ log_p)
