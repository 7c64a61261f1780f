"""Vectorised draws the generator repeats: Zipf weights, choices by group, missing values.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

import unicodedata

import numpy as np

from civharm.linkage.synthetic.tables import SourceProfile

# ---------------------------------------------------------------------------------------------
# Small vectorised helpers.


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _zipf(n: int, exponent: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def _choose(cumulative: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Indices drawn from a cumulative distribution (last value 1)."""
    return np.minimum(
        np.searchsorted(cumulative, rng.random(size), side="right"), len(cumulative) - 1
    )


def _by_group(
    groups: np.ndarray, tables: dict[int, tuple[np.ndarray, np.ndarray]], rng: np.random.Generator
) -> np.ndarray:
    """For each row, a value drawn from the (values, probabilities) table of its group."""
    out = np.full(len(groups), -1, dtype=np.int64)
    for group, (values, probs) in tables.items():
        rows = np.flatnonzero(groups == group)
        if len(rows):
            out[rows] = values[_choose(np.cumsum(probs), rng, len(rows))]
    return out


def _blank(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """An object array of the values with None where `missing`."""
    out = values.astype(object)
    out[missing] = None
    return out


def _flag(p: np.ndarray | float, rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size) < p


def _profile_array(profiles: tuple[SourceProfile, ...], name: str) -> np.ndarray:
    return np.array([getattr(profile, name) for profile in profiles])


def _parse_weights(spec: str) -> tuple[list[str], np.ndarray]:
    keys, weights = zip(*(item.rsplit(":", 1) for item in spec.split()), strict=True)
    w = np.array([float(x) for x in weights])
    return list(keys), w / w.sum()


def _shift_days(size: int, rng: np.random.Generator, late: np.ndarray) -> np.ndarray:
    """1-3 days, mostly 1; before or after the event unless `late`."""
    days = rng.choice(np.array([1, 1, 1, 2, 2, 3]), size)
    sign = np.where(late | (rng.random(size) < 0.5), 1, -1)
    return days * sign
