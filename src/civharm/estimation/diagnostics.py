"""Convergence checks for Markov chains: rank-normalised split R-hat and effective sample size.

After Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), Bayesian Analysis 16(2), and
Gelman et al., BDA3 ch. 11. Pure numpy/scipy; never decides anything, only measures.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata


class DiagnosticsError(ValueError):
    """Chains that cannot be diagnosed (too short, or not a chains × draws array)."""


def split_rhat(chains: np.ndarray) -> float:
    """The larger of bulk and tail rank-normalised split R-hat; ~1 when chains agree.

    `chains` is (chains, draws). Constant draws (all chains stuck on one value together)
    give 1.0: there is nothing left to disagree about.
    """
    halves = _split(chains)
    if np.ptp(halves) == 0:
        return 1.0
    bulk = _rhat(_rank_normalise(halves))
    folded = np.abs(halves - np.median(halves))
    tail = _rhat(_rank_normalise(folded)) if np.ptp(folded) > 0 else 1.0
    return float(max(bulk, tail))


def effective_sample_size(chains: np.ndarray) -> float:
    """Bulk effective sample size (rank-normalised split chains, Geyer's monotone sequence)."""
    halves = _split(chains)
    if np.ptp(halves) == 0:
        return float(halves.size)
    return _ess(_rank_normalise(halves))


def _split(chains: np.ndarray) -> np.ndarray:
    """Each chain cut in two halves, so that a chain drifting within itself shows up too."""
    array = np.asarray(chains, dtype=float)
    if array.ndim != 2 or array.shape[1] < 4:
        raise DiagnosticsError("Expected a (chains, draws) array with at least 4 draws a chain.")
    half = array.shape[1] // 2
    return np.concatenate([array[:, :half], array[:, -half:]], axis=0)


def _rank_normalise(draws: np.ndarray) -> np.ndarray:
    """Normal scores of the pooled ranks (Blom's offset): robust to heavy tails like N's."""
    ranks = rankdata(draws, method="average").reshape(draws.shape)
    return ndtri((ranks - 0.375) / (draws.size + 0.25))


def _rhat(draws: np.ndarray) -> float:
    n = draws.shape[1]
    within = draws.var(axis=1, ddof=1).mean()
    between = n * draws.mean(axis=1).var(ddof=1)
    pooled = (n - 1) / n * within + between / n
    return float(np.sqrt(pooled / within))


def _autocovariance(chain: np.ndarray) -> np.ndarray:
    """Biased autocovariance at every lag, by FFT (zero-padded against wrap-around)."""
    n = len(chain)
    centred = chain - chain.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    return np.fft.irfft(spectrum * np.conj(spectrum), size)[:n] / n


def _ess(draws: np.ndarray) -> float:
    m, n = draws.shape
    acov = np.array([_autocovariance(chain) for chain in draws])
    within = acov[:, 0].mean() * n / (n - 1)
    pooled = within * (n - 1) / n + (draws.mean(axis=1).var(ddof=1) if m > 1 else 0.0)
    rho = 1.0 - (within - acov.mean(axis=0)) / pooled
    rho[0] = 1.0
    # Geyer: sum pairs of autocorrelations while positive, forcing them to decrease.
    pairs = rho[: (n // 2) * 2].reshape(-1, 2).sum(axis=1)
    positive = np.argmax(pairs <= 0) if np.any(pairs <= 0) else len(pairs)
    pairs = np.minimum.accumulate(pairs[:positive])
    tau = max(-1.0 + 2.0 * pairs.sum(), 1.0 / np.log10(m * n))
    return float(m * n / tau)
