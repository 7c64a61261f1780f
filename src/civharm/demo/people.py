"""Generated victims of the true events, and the ways lists write their names.

Every person is a random combination from names.py: no real person. Never log a name.
"""

from __future__ import annotations

import random
import unicodedata

from civharm.demo.events import weighted_choice
from civharm.demo.names import (
    FAMILY,
    FAMILY_VARIANTS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    GIVEN_VARIANTS,
    PATRONYMIC_PARTICLE,
)
from civharm.demo.truth import TrueEvent, TrueVictim

# Share of victims of the event's main community; the rest are neighbours, traders…
_MAIN_COMMUNITY_SHARE = 0.85
_MIXED_TRADITIONS = {"bambara": 0.4, "fulfulde": 0.3, "songhay": 0.2, "dogon": 0.1}
# Contexts where women and children are killed as often as men (whole villages).
_INDISCRIMINATE = ("attack_on_village", "market_attack", "ied_landmine", "air_drone_strike")


def _sex_and_age(rng: random.Random, context: str) -> tuple[str, int]:
    indiscriminate = context in _INDISCRIMINATE
    sex = "female" if rng.random() < (0.4 if indiscriminate else 0.08) else "male"
    if indiscriminate and rng.random() < 0.2:
        return sex, rng.randint(1, 17)
    return sex, min(90, max(15, int(rng.gauss(38, 14))))


def draw_name(rng: random.Random, tradition: str, sex: str) -> tuple[str, str]:
    """(given name, family name); family names of Tamasheq/Arab people carry a particle."""
    givens = GIVEN_FEMALE if sex == "female" else GIVEN_MALE
    given = rng.choice(givens[tradition])
    family = rng.choice(FAMILY[tradition])
    if tradition in PATRONYMIC_PARTICLE:
        son_of, daughter_of = PATRONYMIC_PARTICLE[tradition]
        family = f"{daughter_of if sex == 'female' else son_of} {family}"
    return given, family


def father_of(victim: TrueVictim) -> str:
    """The father's given name, as a family writes it ("fils de …"). Drawn from the victim's
    own seed, not the list's, so every other demo row is what it was without it. For "Ag X",
    "Ould X" the father is X."""
    if victim.tradition in PATRONYMIC_PARTICLE:
        return victim.family_name.split(" ", 1)[-1]
    return random.Random(f"father:{victim.victim_id}").choice(GIVEN_MALE[victim.tradition])


def _victim(
    rng: random.Random, event: TrueEvent, harm_type: str, number: int, tradition: str
) -> TrueVictim:
    sex, age = _sex_and_age(rng, event.context if harm_type == "killed" else "abduction")
    given, family = draw_name(rng, tradition, sex)
    return TrueVictim(
        victim_id=f"V{number:05d}",
        event_id=event.event_id,
        harm_type="killed" if harm_type == "killed" else "abducted",
        given_name=given,
        family_name=family,
        sex="female" if sex == "female" else "male",
        age=age,
        tradition=tradition,
    )


def generate_victims(rng: random.Random, events: list[TrueEvent]) -> list[TrueVictim]:
    """One generated person per person killed or abducted; homonyms in large events."""
    victims: list[TrueVictim] = []
    for event in events:
        of_event: list[TrueVictim] = []
        for harm_type in ("killed", "abducted"):
            for _ in range(event.tolls[harm_type]):
                tradition = event.community
                if rng.random() > _MAIN_COMMUNITY_SHARE:
                    tradition = weighted_choice(rng, _MIXED_TRADITIONS)
                number = len(victims) + len(of_event) + 1
                of_event.append(_victim(rng, event, harm_type, number, tradition))
        if event.is_large:
            _make_homonyms(rng, of_event)
        victims.extend(of_event)
    return victims


def _make_homonyms(rng: random.Random, of_event: list[TrueVictim]) -> None:
    """Give two different people of one event the same name (as happens in real lists)."""
    men = [i for i, v in enumerate(of_event) if v.sex == "male" and v.harm_type == "killed"]
    if len(men) < 2:
        return
    first, second = rng.sample(men, 2)
    named = of_event[first]
    other = of_event[second]
    of_event[second] = TrueVictim(
        victim_id=other.victim_id,
        event_id=other.event_id,
        harm_type=other.harm_type,
        given_name=named.given_name,
        family_name=named.family_name,
        sex=other.sex,
        age=other.age if abs(other.age - named.age) > 5 else min(90, named.age + 17),
        tradition=named.tradition,
    )


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def given_variant(rng: random.Random, given: str, probability: float) -> str:
    """The given name as another list transliterates it (Mamadou -> Mahamadou…)."""
    variants = GIVEN_VARIANTS.get(given)
    if variants and rng.random() < probability:
        return rng.choice(variants)
    return given


def family_variant(rng: random.Random, family: str, probability: float) -> str:
    """The family name as another list writes it (Traoré -> Traore/Trawore, Ag -> AG)."""
    particle, _, name = family.rpartition(" ")
    variants = FAMILY_VARIANTS.get(name)
    if variants and rng.random() < probability:
        name = rng.choice(variants)
    if particle and rng.random() < probability / 2:
        particle = particle.lower() if particle in ("Ag", "Ould") else particle
    return f"{particle} {name}" if particle else name
