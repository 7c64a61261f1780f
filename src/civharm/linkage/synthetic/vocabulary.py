"""Every spelling of every name, in the forms lists write it.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from civharm.linkage.synthetic.arrays import _strip_accents, _zipf
from civharm.linkage.synthetic.tables import (
    _GIVEN,
    _NICKNAMES,
    _PARTICLE_STYLES,
    _PARTICLES,
    _SPELLINGS,
    _SURNAMES,
    COMMUNITIES,
)

# ---------------------------------------------------------------------------------------------
# Name vocabulary: every spelling of every name, in the forms lists write it.


@dataclass(frozen=True)
class _Vocab:
    lemma: dict[str, int]  # canonical spelling -> lemma id
    offsets: np.ndarray  # first spelling of each lemma
    counts: np.ndarray  # spellings of each lemma
    # (6, spellings): as written, no accents, UPPER, UPPER no accents, lower, lower no accents
    forms: np.ndarray
    given: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (community, sex) -> lemmas
    surnames: dict[int, tuple[np.ndarray, np.ndarray]]  # community -> lemmas
    particles: dict[tuple[int, int], int]  # (community, sex) -> particle lemma
    nicknames: np.ndarray
    particle_forms: np.ndarray  # (2 upper?, styles, spellings)


@cache
def _vocab() -> _Vocab:
    canon = sorted(
        {n for text in (*_GIVEN.values(), *_SURNAMES.values(), _NICKNAMES) for n in text.split()}
        | set(_PARTICLES.values())
    )
    spellings: list[str] = []
    offsets, counts = [], []
    for name in canon:
        variants = [name, *[v for v in _SPELLINGS.get(name, "").split("|") if v]]
        offsets.append(len(spellings))
        counts.append(len(variants))
        spellings.extend(variants)
    plain = [_strip_accents(s) for s in spellings]
    forms = np.array(
        [
            spellings,
            plain,
            [s.upper() for s in spellings],
            [s.upper() for s in plain],
            [s.lower() for s in spellings],
            [s.lower() for s in plain],
        ],
        dtype=object,
    )
    lemma = {name: i for i, name in enumerate(canon)}
    code = {c: i for i, c in enumerate(COMMUNITIES)}

    def table(text: str, exponent: float) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([lemma[n] for n in text.split()])
        return ids, _zipf(len(ids), exponent)

    particle_forms = np.array(
        [
            [
                [
                    style.format(s, l=s.lower(), u=s.upper()).upper()
                    if up
                    else style.format(s, l=s.lower(), u=s.upper())
                    for s in spellings
                ]
                for style in _PARTICLE_STYLES
            ]
            for up in (False, True)
        ],
        dtype=object,
    )
    return _Vocab(
        lemma=lemma,
        offsets=np.array(offsets),
        counts=np.array(counts),
        forms=forms,
        given={(code[c], int(s == "f")): table(t, 0.8) for (c, s), t in _GIVEN.items()},
        surnames={code[c]: table(t, 1.1) for c, t in _SURNAMES.items()},
        particles={(code[c], int(s == "f")): lemma[p] for (c, s), p in _PARTICLES.items()},
        nicknames=np.array([lemma[n] for n in _NICKNAMES.split()]),
        particle_forms=particle_forms,
    )
