"""True incidents: clustered in cercles and weeks, with contexts, perpetrators and tolls.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from civharm.core.taxonomy import load_taxonomy
from civharm.linkage.synthetic.arrays import _by_group, _flag, _parse_weights, _zipf
from civharm.linkage.synthetic.places import _Places
from civharm.linkage.synthetic.tables import (
    _ACTORS,
    _CONTEXTS,
    _HARMS,
    _ZONE_OF_REGION,
    FIRST_DAY,
    PACK,
    YEAR_WEIGHTS,
    ZONES,
)

# ---------------------------------------------------------------------------------------------
# True incidents: clustered in cercles and weeks, with contexts, perpetrators and tolls.


@dataclass(frozen=True)
class _ActorTable:
    sets: list[tuple[str, ...]]  # actor-set id -> taxonomy keys
    raw_by_context: dict[int, tuple[np.ndarray, np.ndarray]]  # context -> raw sets, probs
    fixed: np.ndarray  # (raw set, year) -> actor-set id (no Wagner before 2022, …)
    has_veo: np.ndarray
    vague_veo: int
    vague_unknown: int


def _fix_actors(raw: str, year: int) -> tuple[str, ...]:
    """Who could act that year: Wagner from 2022, Barkhane until 2022, MINUSMA until 2023."""
    gone = {"africa_corps_wagner"} if year < 2022 else set()
    gone |= {"barkhane"} if year > 2022 else set()
    gone |= {"minusma"} if year > 2023 else set()
    kept = tuple(dict.fromkeys(k for k in raw.split("+") if k not in gone))
    return kept or ("fama",)


@cache
def _actor_table() -> _ActorTable:
    contexts = list(_CONTEXTS)
    raw_sets = list(dict.fromkeys(k for c in contexts for k in _parse_weights(_ACTORS[c])[0]))
    by_context = {}
    for i, context in enumerate(contexts):
        keys, probs = _parse_weights(_ACTORS[context])
        by_context[i] = (np.array([raw_sets.index(k) for k in keys]), probs)
    sets: list[tuple[str, ...]] = [("veo_unidentified",), ("unidentified_armed_group",)]
    fixed = np.zeros((len(raw_sets), len(YEAR_WEIGHTS)), dtype=np.int64)
    for r, raw in enumerate(raw_sets):
        for y in range(len(YEAR_WEIGHTS)):
            actors = _fix_actors(raw, 2018 + y)
            if actors not in sets:
                sets.append(actors)
            fixed[r, y] = sets.index(actors)
    veo = {"jnim", "is_sahel", "veo_unidentified"}
    has_veo = np.array([bool(veo & set(s)) for s in sets])
    return _ActorTable(sets, by_context, fixed, has_veo, 0, 1)


def _check_taxonomy() -> None:
    """Every key the generator writes must exist in the country pack's taxonomy."""
    taxonomy = load_taxonomy(PACK)
    wanted = {
        "actors": {k for s in _actor_table().sets for k in s},
        "interaction_contexts": {*_CONTEXTS, "unknown"},
        "harm_types": set(_HARMS),
    }
    for name, keys in wanted.items():
        missing = keys - set(taxonomy.keys(name))
        if missing:
            raise ValueError(f"taxonomy {name} of pack {PACK!r} lacks {sorted(missing)}")


@dataclass(frozen=True)
class _Incidents:
    cercle: np.ndarray
    village: np.ndarray
    day: np.ndarray  # days since 1970-01-01
    year: np.ndarray  # 0 = 2018
    zone: np.ndarray
    context: np.ndarray  # index into _CONTEXTS
    actors: np.ndarray  # actor-set id
    harms: np.ndarray  # bit mask over _HARMS
    victims: np.ndarray
    killed: np.ndarray


def _incident_days(
    n: int, cercle_weight: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(cercle, day) of n incidents drawn from bursts: a cercle, a few weeks, many events."""
    n_bursts = max(1, n // 5)
    burst_cercle = rng.choice(len(cercle_weight), n_bursts, p=cercle_weight / cercle_weight.sum())
    years = rng.choice(len(YEAR_WEIGHTS), n_bursts, p=np.array(YEAR_WEIGHTS) / sum(YEAR_WEIGHTS))
    year_start = np.array([f"{2018 + y}-01-01" for y in years], dtype="datetime64[D]").astype(
        np.int64
    )
    start = year_start + rng.integers(0, 365, n_bursts)
    length = rng.integers(7, 43, n_bursts)
    burst = rng.integers(0, n_bursts, n)
    day = start[burst] + (rng.random(n) * length[burst]).astype(np.int64)
    last = np.datetime64("2024-12-31", "D").astype(np.int64)
    return burst_cercle[burst], np.clip(day, FIRST_DAY.astype(np.int64), last)


def _incident_villages(cercle: np.ndarray, places: _Places, rng: np.random.Generator) -> np.ndarray:
    tables = {
        c: (
            places.cercle_first_village[c] + np.arange(places.cercle_villages[c]),
            _zipf(int(places.cercle_villages[c]), 0.7),
        )
        for c in np.unique(cercle)
    }
    return _by_group(cercle, tables, rng)


def _victim_counts(context: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mostly 1-4 people; some massacres of dozens (village and market attacks above all)."""
    n = len(context)
    counts = rng.geometric(0.4, n)
    mass = np.isin(context, [_context_id("attack_on_village"), _context_id("market_attack")])
    massacre = rng.random(n) < np.where(mass, 0.12, 0.03)
    counts = np.where(massacre, np.ceil(rng.lognormal(np.log(15), 0.6, n)), counts)
    worst = rng.random(n) < np.where(mass, 0.01, 0.002)
    return np.where(worst, rng.integers(40, 161, n), counts).astype(np.int64)


def _context_id(key: str) -> int:
    return list(_CONTEXTS).index(key)


def _harm_mask(context: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(context)
    village = context == _context_id("attack_on_village")
    primary = np.where(context == _context_id("abduction"), 2, 1)
    extra = [(0.45, 0.45), (0.5, 0.1), (0.3, 0.05), (0.2, 0.02)]  # injured, property, …
    mask = primary
    for bit, (p_village, p_other) in enumerate(extra, start=2):
        mask = mask | (_flag(np.where(village, p_village, p_other), rng, n).astype(np.int64) << bit)
    return mask


def _draw_actor_sets(context: np.ndarray, year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    table = _actor_table()
    raw = _by_group(context, table.raw_by_context, rng)
    return table.fixed[raw, year]


def _incidents(n: int, places: _Places, rng: np.random.Generator) -> _Incidents:
    admin = places.admin
    cercle, day = _incident_days(n, admin.cercle_weight, rng)
    village = _incident_villages(cercle, places, rng)
    # a few separate events in one village on the same or the next day (an IED, then a raid)
    twin = np.flatnonzero(rng.random(n) < 0.015)
    twin = twin[twin > 0]
    cercle[twin], village[twin] = cercle[twin - 1], village[twin - 1]
    day[twin] = day[twin - 1] + rng.integers(0, 2, len(twin))
    year = np.clip(day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) - 48, 0, 6)
    zones = np.array([_ZONE_OF_REGION.get(p, 2) for p in admin.region_pcode])
    zone = zones[admin.cercle_region[cercle]]
    weights = np.array(list(_CONTEXTS.values()), dtype=float)
    context = _by_group(
        zone,
        {
            z: (np.arange(len(weights)), weights[:, z] / weights[:, z].sum())
            for z in range(len(ZONES))
        },
        rng,
    )
    victims = _victim_counts(context, rng)
    harms = _harm_mask(context, rng)
    killed = np.where(harms & 1, victims, 0)
    actors = _draw_actor_sets(context, year, rng)
    return _Incidents(cercle, village, day, year, zone, context, actors, harms, victims, killed)
