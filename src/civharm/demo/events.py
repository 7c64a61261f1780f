"""Draws the true demo events: when, where, who, how, and how many were harmed.

Weights are plausible for Mali 2019-2024, not statistics; never present them as data.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from civharm.demo.names import DEFAULT_TRADITIONS, REGION_TRADITIONS
from civharm.demo.places import Locality, locality_weights
from civharm.demo.truth import TOLL_HARM_TYPES, TrueEvent

START = date(2019, 1, 1)
END = date(2024, 12, 31)
YEAR_WEIGHTS = {2019: 0.16, 2020: 0.15, 2021: 0.13, 2022: 0.20, 2023: 0.17, 2024: 0.19}

# Perpetrator weights by region (folded admin1 name); "_other" for the rest of Mali.
ACTORS_BY_REGION: dict[str, dict[str, float]] = {
    "mopti": {"jnim": 0.3, "dan_na_ambassagou": 0.18, "fama": 0.2,
              "unidentified_armed_group": 0.15, "community_militia_other": 0.05,
              "is_sahel": 0.03, "criminals": 0.04, "barkhane": 0.02},
    "segou": {"jnim": 0.35, "dozo_militia": 0.2, "fama": 0.2,
              "unidentified_armed_group": 0.17, "criminals": 0.05, "barkhane": 0.02},
    "tombouctou": {"jnim": 0.35, "fama": 0.2, "unidentified_armed_group": 0.2,
                   "criminals": 0.1, "csp_signatory": 0.05, "barkhane": 0.04},
    "gao": {"is_sahel": 0.35, "jnim": 0.2, "fama": 0.15, "unidentified_armed_group": 0.15,
            "criminals": 0.08, "barkhane": 0.05},
    "menaka": {"is_sahel": 0.55, "jnim": 0.1, "csp_signatory": 0.1,
               "unidentified_armed_group": 0.15, "fama": 0.05},
    "kidal": {"fama": 0.3, "csp_signatory": 0.2, "jnim": 0.15,
              "unidentified_armed_group": 0.2, "is_sahel": 0.05},
    "_other": {"jnim": 0.3, "unidentified_armed_group": 0.3, "criminals": 0.2, "fama": 0.15,
               "dozo_militia": 0.05},
}  # fmt: skip

# Who was active when (inclusive years); outside these years an actor is not drawn.
ACTOR_YEARS: dict[str, tuple[int, int]] = {
    "barkhane": (2019, 2021),
    "dan_na_ambassagou": (2019, 2022),
    "africa_corps_wagner": (2022, 2024),
}

# Interaction contexts by actor category; air strikes only by forces that have aircraft.
CONTEXTS_BY_CATEGORY: dict[str, dict[str, float]] = {
    "state_forces": {"ground_operation": 0.3, "arrest_detention": 0.22, "search_cordon": 0.15,
                     "patrol": 0.1, "checkpoint": 0.1, "air_drone_strike": 0.13},
    "foreign_forces": {"air_drone_strike": 0.5, "ground_operation": 0.3, "search_cordon": 0.2},
    "veo": {"attack_on_village": 0.3, "ied_landmine": 0.2, "ambush": 0.15, "abduction": 0.15,
            "market_attack": 0.06, "looting_extortion": 0.09, "checkpoint": 0.05},
    "community_militia": {"attack_on_village": 0.6, "abduction": 0.1, "looting_extortion": 0.15,
                          "ambush": 0.1, "checkpoint": 0.05},
    "signatory_armed_group": {"attack_on_village": 0.3, "clash_crossfire": 0.3,
                              "abduction": 0.2, "looting_extortion": 0.2},
    "criminal": {"looting_extortion": 0.4, "ambush": 0.3, "abduction": 0.3},
    "unknown": {"attack_on_village": 0.3, "ied_landmine": 0.2, "ambush": 0.2, "abduction": 0.2,
                "market_attack": 0.05, "clash_crossfire": 0.05},
}  # fmt: skip

ACTOR_CATEGORY = {
    "fama": "state_forces",
    "barkhane": "foreign_forces",
    "africa_corps_wagner": "foreign_forces",
    "jnim": "veo",
    "is_sahel": "veo",
    "dan_na_ambassagou": "community_militia",
    "dozo_militia": "community_militia",
    "community_militia_other": "community_militia",
    "csp_signatory": "signatory_armed_group",
    "criminals": "criminal",
    "unidentified_armed_group": "unknown",
}

# Large events (massacres) as the period saw them: who, how, where.
LARGE_EVENT_PATTERNS: tuple[tuple[str, str | None, str, tuple[str, ...], tuple[int, int]], ...] = (
    ("dan_na_ambassagou", None, "attack_on_village", ("mopti",), (2019, 2020)),
    ("jnim", None, "attack_on_village", ("mopti", "segou"), (2019, 2024)),
    ("fama", "africa_corps_wagner", "ground_operation", ("mopti", "segou"), (2022, 2024)),
    ("is_sahel", None, "attack_on_village", ("menaka", "gao"), (2022, 2023)),
    ("jnim", None, "market_attack", ("mopti", "tombouctou", "gao"), (2021, 2024)),
)


def weighted_choice(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def draw_date(rng: random.Random, years: tuple[int, int] | None = None) -> date:
    low, high = years or (START.year, END.year)
    allowed = {y: w for y, w in YEAR_WEIGHTS.items() if low <= y <= high}
    year = int(weighted_choice(rng, {str(y): w for y, w in allowed.items()}))
    first = date(year, 1, 1)
    return first + timedelta(days=rng.randrange((date(year, 12, 31) - first).days + 1))


def _active(actor: str, year: int) -> bool:
    low, high = ACTOR_YEARS.get(actor, (START.year, END.year))
    return low <= year <= high


def draw_actor(rng: random.Random, region: str, year: int) -> tuple[str, str | None]:
    """Main perpetrator and, for FAMa from 2022, sometimes Wagner as its partner."""
    weights = ACTORS_BY_REGION.get(region, ACTORS_BY_REGION["_other"])
    weights = {k: w for k, w in weights.items() if _active(k, year)}
    actor = weighted_choice(rng, weights)
    if actor == "fama" and _active("africa_corps_wagner", year):
        roll = rng.random()
        if roll < 0.45:
            return "fama", "africa_corps_wagner"
        if roll < 0.55:
            return "africa_corps_wagner", "fama"
    return actor, None


def draw_context(rng: random.Random, actor: str, year: int) -> str:
    weights = dict(CONTEXTS_BY_CATEGORY[ACTOR_CATEGORY[actor]])
    if actor == "fama" and year < 2021:
        weights.pop("air_drone_strike", None)  # drones arrived later; keep it plausible
    return weighted_choice(rng, weights)


# Mean extra deaths by context in a small event (a geometric-like draw above a minimum).
_KILLED_SMALL: dict[str, tuple[int, float, int]] = {  # context -> (minimum, mean, cap)
    "attack_on_village": (0, 4.0, 25),
    "ground_operation": (0, 3.0, 20),
    "arrest_detention": (1, 2.5, 15),
    "air_drone_strike": (1, 3.5, 20),
    "ied_landmine": (1, 2.0, 10),
    "ambush": (0, 2.0, 8),
    "market_attack": (1, 5.0, 25),
    "abduction": (0, 0.3, 2),
    "looting_extortion": (0, 0.5, 3),
    "checkpoint": (0, 1.0, 4),
    "search_cordon": (0, 1.5, 6),
    "patrol": (0, 1.0, 4),
    "clash_crossfire": (1, 1.5, 6),
}
_VILLAGE_HARM = ("attack_on_village", "ground_operation", "market_attack")


def _geometric(rng: random.Random, minimum: int, mean: float, cap: int) -> int:
    return min(cap, minimum + int(rng.expovariate(1.0 / mean))) if mean > 0 else minimum


def draw_tolls(rng: random.Random, context: str, large: bool) -> dict[str, int]:
    """True numbers harmed per harm type; every event harms someone."""
    if large:
        killed = min(160, int(30 * rng.paretovariate(1.3)))
    else:
        killed = _geometric(rng, *_KILLED_SMALL.get(context, (0, 1.0, 5)))
    blast = context in ("ied_landmine", "air_drone_strike", "market_attack")
    injured = int(killed * rng.uniform(0.1, 1.2 if blast else 0.6)) + _geometric(rng, 0, 1.0, 8)
    if context == "abduction":
        abducted = _geometric(rng, 1, 7.0, 45)
    elif context == "arrest_detention" or rng.random() < 0.1:
        abducted = _geometric(rng, 0, 2.5, 12)
    else:
        abducted = 0
    village = context in _VILLAGE_HARM
    displaced = _geometric(rng, 20 if village else 0, 250.0 if large else 60.0, 1500)
    if not village and rng.random() < 0.75:
        displaced = 0
    destroyed = _geometric(rng, 5, 120.0 if large else 25.0, 400) if village else 0
    looted = context in ("attack_on_village", "looting_extortion")
    livestock = _geometric(rng, 3, 40.0, 300) if looted and rng.random() < 0.7 else 0
    if killed + injured + abducted == 0:
        injured = 1
    return dict(
        zip(
            TOLL_HARM_TYPES,
            (killed, injured, abducted, displaced, destroyed, livestock),
            strict=True,
        )
    )


def draw_community(rng: random.Random, region: str, actor: str) -> str:
    """Naming tradition of most victims: who was targeted, as the conflict's pattern is."""
    targeted: dict[str, float] | None = None
    if actor in ("dan_na_ambassagou", "dozo_militia") or (
        actor in ("fama", "africa_corps_wagner") and region in ("mopti", "segou")
    ):
        targeted = {"fulfulde": 0.8, "bambara": 0.1, "songhay": 0.1}
    elif actor == "community_militia_other":
        targeted = {"dogon": 0.6, "bambara": 0.4}
    elif actor == "jnim" and region == "mopti":
        targeted = {"dogon": 0.5, "bambara": 0.2, "fulfulde": 0.3}
    elif actor == "is_sahel" and region in ("menaka", "gao"):
        targeted = {"tamasheq": 0.5, "fulfulde": 0.3, "songhay": 0.2}
    if targeted is None:
        targeted = REGION_TRADITIONS.get(region, DEFAULT_TRADITIONS)
    return weighted_choice(rng, targeted)


def _draw_locality(
    rng: random.Random, localities: list[Locality], weights: list[float], regions: tuple[str, ...]
) -> Locality:
    if regions:
        restricted = [
            w if loc.region_key in regions else 0.0
            for loc, w in zip(localities, weights, strict=True)
        ]
        if sum(restricted) > 0:
            weights = restricted
    return rng.choices(localities, weights=weights)[0]


def _draft_event(
    rng: random.Random, localities: list[Locality], weights: list[float], large: bool
) -> TrueEvent:
    if large:
        actor, partner, context, regions, years = rng.choice(LARGE_EVENT_PATTERNS)
        when = draw_date(rng, years)
        place = _draw_locality(rng, localities, weights, regions)
    else:
        place = _draw_locality(rng, localities, weights, ())
        when = draw_date(rng)
        actor, partner = draw_actor(rng, place.region_key, when.year)
        context = draw_context(rng, actor, when.year)
    return TrueEvent(
        event_id="",
        date=when,
        locality=place,
        actor_key=actor,
        partner_key=partner,
        context=context,
        tolls=draw_tolls(rng, context, large),
        community=draw_community(rng, place.region_key, actor),
        is_large=large,
    )


def generate_events(
    rng: random.Random, localities: list[Locality], n_events: int, n_large: int
) -> list[TrueEvent]:
    """The true events in date order, with ids E0001, E0002, …"""
    weights = locality_weights(localities)
    drafts = [_draft_event(rng, localities, weights, i < n_large) for i in range(n_events)]
    drafts.sort(key=lambda e: (e.date, e.locality.id, e.tolls["killed"]))
    return [replace(e, event_id=f"E{i:04d}") for i, e in enumerate(drafts, start=1)]
