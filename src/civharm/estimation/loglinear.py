"""Log-linear multiple systems estimation: downhill model search, model averaging, intervals.

Never returns a silent absurd number: when the lists cannot bound the estimate, the answer
has no number and an EstimationWarning says why.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.stats import norm

from civharm.core.i18n import N_
from civharm.estimation.histories import CaptureHistories
from civharm.estimation.models import (
    Fit,
    FitDidNotConverge,
    Term,
    candidate_terms,
    design,
    fit_poisson,
    fit_poisson_extended,
    main_effects,
    margins_positive,
    mle_exists,
    model_label,
    profile_interval,
)
from civharm.estimation.results import Estimate, EstimationWarning, unsupported, warning

METHOD = "loglinear"
# Beyond ten lists the existence LP takes seconds per model; the margin checks and the IRLS
# divergence test stand in for it (as they always do inside bootstrap replicates).
LP_MAX_CELLS = 2**10 - 1
FULL_BOOTSTRAP_CELLS = 2**8 - 1
LARGE_TABLE_REPLICATES = 199  # beyond eight lists, to keep one estimate within seconds


class LoglinearOptionsError(ValueError):
    """Options that make no sense (unknown criterion or interval, negative replicates...)."""


@dataclass(frozen=True)
class LoglinearOptions:
    """How to search, average and bound. Defaults follow SparseMSE's downhill BIC search."""

    criterion: Literal["bic", "aic"] = "bic"
    average: bool = True  # average the models visited with information-criterion weights
    interval: Literal["percentile", "bca", "profile"] = "percentile"
    n_bootstrap: int = 499  # 999 on six lists took ~10 s on a busy 2-core machine
    seed: int = 20131
    max_order: int = 2  # 3 allows three-list interactions (sensible for five lists or fewer)
    screen: int = 28  # candidates fitted per step (all pairs of 8 lists); more: score-ranked
    tiny_stratum: int = 20
    unbounded_ratio: float = 1000.0  # undocumented > this x documented counts as unbounded
    spread_ratio: float = 2.0

    def __post_init__(self) -> None:
        if self.criterion not in ("bic", "aic"):
            raise LoglinearOptionsError(f"criterion must be 'bic' or 'aic', not {self.criterion!r}")
        if self.interval not in ("percentile", "bca", "profile"):
            raise LoglinearOptionsError(f"unknown interval {self.interval!r}")
        if self.n_bootstrap < 0 or self.screen < 1 or self.max_order < 2:
            raise LoglinearOptionsError("n_bootstrap >= 0, screen >= 1 and max_order >= 2")


@dataclass
class _Table:
    """The observable cells of one capture-history table and a cache of design columns."""

    lists: tuple[str, ...]
    patterns: np.ndarray  # (2**J - 1, J) of 0/1
    y: np.ndarray  # observed counts as floats
    _columns: dict[Term, np.ndarray] = field(default_factory=dict)
    _identifiable: dict[tuple[Term, ...], bool] = field(default_factory=dict)

    @classmethod
    def of(cls, histories: CaptureHistories) -> _Table:
        patterns, counts = histories.full_table()
        return cls(histories.lists, patterns, counts.astype(float))

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    def design(self, terms: tuple[Term, ...]) -> np.ndarray:
        for term in terms:
            if term not in self._columns:
                self._columns[term] = design(self.patterns, [term])[:, 1]
        columns = [np.ones(len(self.y))] + [self._columns[t] for t in terms]
        return np.column_stack(columns)

    def identifiable(self, terms: tuple[Term, ...]) -> bool:
        """Enough observable cells to tell every parameter apart (does not depend on counts)."""
        key = tuple(sorted(terms))
        if key not in self._identifiable:
            x = self.design(terms)
            pairwise = max(len(t) for t in terms) <= 2 and self.n_lists >= 3
            rank_ok = pairwise or np.linalg.matrix_rank(x) == x.shape[1]
            self._identifiable[key] = x.shape[1] <= len(self.y) and bool(rank_ok)
        return self._identifiable[key]

    def overlap(self, y: np.ndarray) -> np.ndarray:
        """People on both list a and list b, for every pair (the diagonal: list sizes)."""
        weighted = self.patterns * y[:, None]
        return weighted.T @ self.patterns


@dataclass(frozen=True)
class _Model:
    fit: Fit
    ic: float

    @property
    def unobserved(self) -> float:
        return self.fit.unobserved


@dataclass(frozen=True)
class _Search:
    selected: _Model
    visited: tuple[_Model, ...]

    def weights(self) -> np.ndarray:
        ic = np.array([m.ic for m in self.visited])
        raw = np.exp(-(ic - ic.min()) / 2)
        return raw / raw.sum()

    def unobserved(self, average: bool) -> float:
        if not average:
            return self.selected.unobserved
        return float(self.weights() @ np.array([m.unobserved for m in self.visited]))

    def fitted(self, average: bool) -> np.ndarray:
        if not average:
            return self.selected.fit.fitted
        return self.weights() @ np.array([m.fit.fitted for m in self.visited])


def estimate_loglinear(
    histories: CaptureHistories, options: LoglinearOptions | None = None
) -> Estimate:
    """Total population (documented + never documented) of one stratum, with a 95% interval."""
    with _single_threaded_blas():
        return _estimate(histories, options or LoglinearOptions())


def _single_threaded_blas() -> contextlib.AbstractContextManager[Any]:
    """The matrices here are small: a multi-threaded BLAS only spins, and on a busy machine
    (two cores, other processes) it made the search a hundred times slower (measured)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional speed-up: without it the results are the same
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _estimate(histories: CaptureHistories, options: LoglinearOptions) -> Estimate:
    histories = histories.without_empty_lists()
    documented = histories.documented
    refusal = _refusal(histories)
    if refusal is not None:
        return unsupported(METHOD, documented, refusal)
    table = _Table.of(histories)
    warnings = _data_warnings(histories, table, options)
    search = _search(table, table.y, options, exact=len(table.y) <= LP_MAX_CELLS)
    if search is None:
        return unsupported(METHOD, documented, *warnings, _unbounded_warning())
    total = documented + search.unobserved(options.average)
    low, high, draws, interval = _interval(table, search, total, options)
    warnings += interval.pop("warnings")
    warnings += _spread_warnings(search, documented, options)
    return Estimate(
        method=METHOD,
        documented=documented,
        total=total,
        low=low,
        high=high,
        model=_model_description(search, table, options),
        draws=draws,
        details=_details(search, table, options) | interval,
        warnings=tuple(warnings),
    )


def _refusal(histories: CaptureHistories) -> EstimationWarning | None:
    """The tables that cannot carry any estimate at all."""
    n_lists = len(histories.lists)
    if n_lists < 2:
        return warning(
            "too_few_lists",
            N_(
                "At least two lists that name someone are needed to estimate how many people "
                "no list documented; there are {count}."
            ),
            count=n_lists,
        )
    overlaps = (histories.patterns.sum(axis=1) >= 2) & (histories.counts > 0)
    if not overlaps.any():
        return warning(
            "no_overlap",
            N_(
                "No two lists name the same person, so nothing shows how many people all the "
                "lists missed."
            ),
        )
    return None


def _data_warnings(
    histories: CaptureHistories, table: _Table, options: LoglinearOptions
) -> list[EstimationWarning]:
    warnings = []
    overlap = table.overlap(table.y)
    np.fill_diagonal(overlap, 0)
    alone = [name for name, row in zip(table.lists, overlap, strict=True) if row.sum() == 0]
    if alone:
        warnings.append(
            warning(
                "no_overlap",
                N_(
                    "These lists name nobody who is on another list: {lists}. The estimate "
                    "rests on assumptions the data cannot check."
                ),
                lists=", ".join(alone),
            )
        )
    if table.n_lists == 2:
        warnings.append(
            warning(
                "independence_unchecked",
                N_(
                    "With only two lists, the estimate assumes that being on one list does not "
                    "change the chance of being on the other; the data cannot check this."
                ),
            )
        )
    if histories.documented < options.tiny_stratum:
        warnings.append(
            warning(
                "tiny_stratum",
                N_(
                    "Only {count} people are documented here; an estimate from so few is very "
                    "uncertain."
                ),
                count=histories.documented,
            )
        )
    return warnings


def _unbounded_warning() -> EstimationWarning:
    return warning(
        "unbounded",
        N_(
            "The lists overlap too little to bound the number of undocumented people: no "
            "model gives a finite estimate."
        ),
    )


# --- model search -------------------------------------------------------------------------


def _search(
    table: _Table,
    y: np.ndarray,
    options: LoglinearOptions,
    exact: bool,
    start: np.ndarray | None = None,
) -> _Search | None:
    """Downhill search: from independence, add the interaction that lowers the criterion most.

    `exact` adds the linear-programming check of the MLE's existence (skipped in bootstrap
    replicates, where the margin checks and IRLS divergence detection stand in for it).
    """
    terms = main_effects(table.n_lists)
    try:
        fit = fit_poisson(table.design(terms), y, terms, start)
    except FitDidNotConverge:
        return None
    current = _usable(table, fit, y, options, exact)
    if current is None:
        return None
    visited = [current]
    while True:
        steps = _next_models(table, y, current, options)
        models = [m for m in _fit_candidates(table, y, current, steps, options, exact) if m]
        visited += models
        best = min(models, key=lambda m: m.ic, default=None)
        if best is None or best.ic >= current.ic:
            return _Search(current, tuple(visited))
        current = best


def _next_models(
    table: _Table, y: np.ndarray, current: _Model, options: LoglinearOptions
) -> list[Term]:
    terms = current.fit.terms
    overlap = table.overlap(y)
    candidates = [
        t
        for t in candidate_terms(terms, options.max_order, overlap, float(y.sum()))
        if table.identifiable((*terms, t))
        and (len(t) == 2 or margins_positive(table.patterns, y, [t]))
    ]
    if len(candidates) > options.screen:
        candidates = _screened(table, y, current, candidates, options.screen)
    return candidates


def _fit_candidates(
    table: _Table,
    y: np.ndarray,
    current: _Model,
    candidates: list[Term],
    options: LoglinearOptions,
    exact: bool,
) -> list[_Model | None]:
    if not candidates:
        return []
    base = current.fit.terms
    x = table.design(base)
    extras = table.design(tuple(candidates))[:, 1:]
    models = [(*base, t) for t in candidates]
    fits = fit_poisson_extended(x, extras, y, models, current.fit.beta)
    return [None if f is None else _usable(table, f, y, options, exact) for f in fits]


def _screened(
    table: _Table, y: np.ndarray, current: _Model, candidates: list[Term], keep: int
) -> list[Term]:
    """The `keep` candidates with the largest score statistics (cheap: no refit needed)."""
    x = table.design(current.fit.terms)
    extra = table.design(tuple(candidates))[:, 1:]
    mu = current.fit.fitted
    score = extra.T @ (y - mu)
    weighted = extra * mu[:, None]
    cross = weighted.T @ x
    information = weighted.sum(axis=0) - np.einsum(
        "kp,kp->k", cross, np.linalg.solve((x * mu[:, None]).T @ x, cross.T).T
    )
    statistic = score**2 / np.maximum(information, 1e-12)
    order = np.argsort(-statistic, kind="stable")[:keep]
    return [candidates[i] for i in sorted(order)]


def _usable(
    table: _Table, fit: Fit, y: np.ndarray, options: LoglinearOptions, exact: bool
) -> _Model | None:
    """The model, or None when its estimate of the unobserved cell is not a finite MLE."""
    if not np.isfinite(fit.unobserved) or fit.unobserved > options.unbounded_ratio * y.sum():
        return None
    if exact and not mle_exists(table.design(fit.terms), y):
        return None
    return _Model(fit, _criterion(fit, y.sum(), options.criterion))


def _criterion(fit: Fit, documented: float, criterion: str) -> float:
    penalty = np.log(max(documented, 2.0)) if criterion == "bic" else 2.0
    return -2 * fit.loglik + penalty * fit.n_parameters


# --- intervals ----------------------------------------------------------------------------


def _interval(
    table: _Table, search: _Search, total: float, options: LoglinearOptions
) -> tuple[float | None, float | None, np.ndarray | None, dict[str, Any]]:
    """(low, high, bootstrap draws of the total, details including "warnings")."""
    draws, failed, kind = _bootstrap(table, search, options)
    replicates = len(draws) + failed
    info: dict[str, Any] = {
        "n_bootstrap": replicates,
        "bootstrap_failed": failed,
        "bootstrap": kind,
    }
    warnings = []
    if failed > 0.05 * max(replicates, 1):
        warnings.append(_unstable_warning(failed, replicates))
    kind = options.interval if len(draws) >= 20 else "profile"
    info["interval"] = kind
    if kind == "profile":
        ceiling = options.unbounded_ratio * float(table.y.sum())
        low, high = profile_interval(table.patterns, table.y, search.selected.fit, ceiling)
    elif kind == "bca":
        low, high = _bca(table, search, total, draws, options)
    else:
        low, high = (float(q) for q in np.quantile(draws, [0.025, 0.975]))
    if high is None:
        warnings.append(
            warning("unbounded", N_("The data cannot bound the upper end of the 95% interval."))
        )
    low, high, info["interval_widened"] = _containing(total, low, high)
    low = None if low is None else max(low, float(table.y.sum()))  # N is never below documented
    info["warnings"] = warnings
    return low, high, (draws if len(draws) else None), info


def _containing(
    total: float, low: float | None, high: float | None
) -> tuple[float | None, float | None, bool]:
    """A skewed bootstrap can miss the point estimate; widen to include it, and say so."""
    widened = (low is not None and low > total) or (high is not None and high < total)
    low = None if low is None else min(low, total)
    high = None if high is None else max(high, total)
    return low, high, widened


def _bootstrap(
    table: _Table, search: _Search, options: LoglinearOptions
) -> tuple[np.ndarray, int, str]:
    """Parametric bootstrap: (draws of the total, failed replicates, what each replicate did).

    Tables are drawn cell by cell (Poisson) from the fitted means — the unobserved cell is
    drawn too and dropped, which for independent cells amounts to not drawing it. Each
    replicate's estimate of the total (its documented people + its estimate of the
    undocumented) is one draw. The model search is re-run on every replicate, so model
    uncertainty is in the interval, except on tables of more than ten lists, where only the
    selected model is refitted. Beyond eight lists at most LARGE_TABLE_REPLICATES are drawn.
    """
    large = len(table.y) > LP_MAX_CELLS
    count = options.n_bootstrap
    if len(table.y) > FULL_BOOTSTRAP_CELLS:
        count = min(count, LARGE_TABLE_REPLICATES)
    rng = np.random.default_rng(options.seed)
    means = search.fitted(options.average)
    replicates = rng.poisson(means, size=(count, len(means))).astype(float)
    refit = _refit_selected if large else _research
    draws = [refit(table, y, search, options) for y in replicates]
    finite = np.asarray([d for d in draws if d is not None], dtype=float)
    kind = "selected model refitted" if large else "model search repeated"
    return finite, len(draws) - len(finite), kind


def _research(
    table: _Table, y: np.ndarray, search: _Search, options: LoglinearOptions
) -> float | None:
    result = _search(table, y, options, exact=False, start=search.visited[0].fit.beta)
    return None if result is None else y.sum() + result.unobserved(options.average)


def _refit_selected(
    table: _Table, y: np.ndarray, search: _Search, options: LoglinearOptions
) -> float | None:
    terms = search.selected.fit.terms
    try:
        fit = fit_poisson(table.design(terms), y, terms, search.selected.fit.beta)
    except FitDidNotConverge:
        return None
    if fit.unobserved > options.unbounded_ratio * y.sum():
        return None
    return y.sum() + fit.unobserved


def _unstable_warning(failed: int, replicates: int) -> EstimationWarning:
    return warning(
        "bootstrap_unstable",
        N_(
            "{failed} of {replicates} simulated tables gave no finite estimate; the interval "
            "is less reliable than it looks."
        ),
        failed=failed,
        replicates=replicates,
    )


def _bca(
    table: _Table, search: _Search, total: float, draws: np.ndarray, options: LoglinearOptions
) -> tuple[float, float]:
    """Bias-corrected and accelerated percentiles; acceleration from a jackknife over people."""
    below = (draws < total).mean() + 0.5 * (draws == total).mean()
    z0 = float(norm.ppf(np.clip(below, 1e-6, 1 - 1e-6)))
    acceleration = _jackknife_acceleration(table, search, options)
    levels = []
    for alpha in (0.025, 0.975):
        z = z0 + norm.ppf(alpha)
        levels.append(float(norm.cdf(z0 + z / (1 - acceleration * z))))
    low, high = np.quantile(draws, levels)
    return float(low), float(high)


def _jackknife_acceleration(table: _Table, search: _Search, options: LoglinearOptions) -> float:
    """Leave one person out (one per non-empty cell, weighted by its count)."""
    y = table.y
    refit = _refit_selected if len(y) > LP_MAX_CELLS else _research  # as the bootstrap does
    values, weights = [], []
    for cell in np.flatnonzero(y):
        left = y.copy()
        left[cell] -= 1
        value = refit(table, left, search, options)
        if value is not None:
            values.append(value)
            weights.append(y[cell])
    values_arr, weights_arr = np.asarray(values), np.asarray(weights)
    if len(values_arr) < 2:
        return 0.0
    centred = np.average(values_arr, weights=weights_arr) - values_arr
    spread = (weights_arr * centred**2).sum()
    return float((weights_arr * centred**3).sum() / (6 * spread**1.5)) if spread > 0 else 0.0


# --- reporting ----------------------------------------------------------------------------


def _spread_warnings(
    search: _Search, documented: int, options: LoglinearOptions
) -> list[EstimationWarning]:
    """Models within 2 of the best criterion whose totals differ by more than spread_ratio."""
    best = min(m.ic for m in search.visited)
    close = [documented + m.unobserved for m in search.visited if m.ic - best < 2]
    if max(close) <= options.spread_ratio * min(close):
        return []
    return [
        warning(
            "model_spread",
            N_(
                "Models that fit the data about equally well give totals from {low} to {high}; "
                "the choice of model matters more than the interval shows."
            ),
            low=f"{min(close):,.0f}",
            high=f"{max(close):,.0f}",
        )
    ]


def _model_description(search: _Search, table: _Table, options: LoglinearOptions) -> str:
    label = model_label(search.selected.fit.terms, table.lists)
    weight = search.weights()[search.visited.index(search.selected)]
    text = f"{label} ({options.criterion.upper()} weight {weight:.2f}"
    if options.average and len(search.visited) > 1:
        text += f"; averaged over {len(search.visited)} models"
    return text + ")"


def _details(search: _Search, table: _Table, options: LoglinearOptions) -> dict[str, Any]:
    documented = float(table.y.sum())
    weights = search.weights()
    rows = []
    for model, weight in zip(search.visited, weights, strict=True):
        fit = model.fit
        rows.append(
            {
                "model": model_label(fit.terms, table.lists),
                "terms": [[table.lists[j] for j in t] for t in fit.terms if len(t) > 1],
                "parameters": fit.n_parameters,
                "deviance": round(fit.deviance, 4),
                "df": len(table.y) - fit.n_parameters,
                "aic": round(-2 * fit.loglik + 2 * fit.n_parameters, 4),
                "bic": round(float(-2 * fit.loglik + np.log(documented) * fit.n_parameters), 4),
                "weight": round(float(weight), 4),
                "estimate": round(documented + fit.unobserved, 2),
                "selected": model is search.selected,
            }
        )
    details: dict[str, Any] = {
        "criterion": options.criterion,
        "averaged": options.average,
        "existence_check": "linear programme" if len(table.y) <= LP_MAX_CELLS else "margins",
        "selected": model_label(search.selected.fit.terms, table.lists),
        "selected_estimate": documented + search.selected.unobserved,
        "models": rows,
    }
    if table.n_lists == 2:
        details |= _two_list_figures(table)
    return details


def _two_list_figures(table: _Table) -> dict[str, float]:
    """Lincoln–Petersen (the independence MLE) and Chapman's less biased variant."""
    sizes = table.overlap(table.y)
    first, second, both = sizes[0, 0], sizes[1, 1], sizes[0, 1]
    return {
        "lincoln_petersen": float(first * second / both),
        "chapman": float((first + 1) * (second + 1) / (both + 1) - 1),
    }
