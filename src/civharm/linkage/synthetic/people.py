"""True persons: households of one community, names drawn by community and sex, namesakes.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from civharm.linkage.synthetic.arrays import _by_group
from civharm.linkage.synthetic.events import _context_id, _Incidents
from civharm.linkage.synthetic.places import _Places
from civharm.linkage.synthetic.tables import _CONTEXTS, COMMUNITIES
from civharm.linkage.synthetic.vocabulary import _Vocab, _vocab

# ---------------------------------------------------------------------------------------------
# True persons: households of one community, names drawn by community and sex, homonyms.


@dataclass(frozen=True)
class _Persons:
    incident: np.ndarray
    community: np.ndarray
    female: np.ndarray
    age: np.ndarray
    given: np.ndarray  # lemma ids; -1 = none
    middle: np.ndarray
    nickname: np.ndarray  # the middle name is a "dit" nickname
    family: np.ndarray
    particle: np.ndarray
    own_given: np.ndarray  # which spelling the person's own papers use
    own_middle: np.ndarray
    own_family: np.ndarray
    delay: np.ndarray  # died days after the event
    father: np.ndarray  # the father's given name (lemma): the family name after a particle


def _household_communities(
    household_incident: np.ndarray, inc: _Incidents, places: _Places, rng: np.random.Generator
) -> np.ndarray:
    """Mostly the village's community; some households from elsewhere in the cercle."""
    village_community = places.village_community[inc.village[household_incident]]
    cercle = inc.cercle[household_incident]
    mix = places.admin.cercle_mix
    tables = {c: (np.arange(len(COMMUNITIES)), mix[c]) for c in np.unique(cercle)}
    other = _by_group(cercle, tables, rng)
    return np.where(rng.random(len(cercle)) < 0.88, village_community, other)


def _sexes_and_ages(context: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n = len(context)
    p_male = np.full(len(_CONTEXTS), 0.93)
    for key, p in (
        ("attack_on_village", 0.72),
        ("abduction", 0.9),
        ("air_drone_strike", 0.8),
        ("market_attack", 0.7),
        ("shelling", 0.7),
    ):
        p_male[_context_id(key)] = p
    female = rng.random(n) >= p_male[context]
    adult = 15 + rng.gamma(2.0, np.where(female, 12.0, 11.0), n) + np.where(female, 0, 3)
    age = np.where(rng.random(n) < 0.12, rng.integers(1, 15, n), np.minimum(adult, 90))
    return female, age.astype(np.int64)


def _own_spelling(vocab: _Vocab, lemma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A quarter of people write their name in a less usual spelling on their own papers."""
    n = len(lemma)
    other = (rng.random(n) * vocab.counts[np.maximum(lemma, 0)]).astype(np.int64)
    return np.where(rng.random(n) < 0.25, other, 0)


def _persons(
    inc: _Incidents, places: _Places, rng: np.random.Generator, father_rng: np.random.Generator
) -> _Persons:
    """The fathers come from their own stream (`father_rng`), so every other column is the
    same whether a list writes them or not."""
    vocab = _vocab()
    incident = np.repeat(np.arange(len(inc.victims)), inc.victims)
    n = len(incident)
    first = np.ones(n, dtype=bool)
    first[1:] = incident[1:] != incident[:-1]
    household = np.cumsum(first | (rng.random(n) < 0.5)) - 1
    starts = np.flatnonzero(np.diff(household, prepend=-1))
    h_community = _household_communities(incident[starts], inc, places, rng)
    community = h_community[household]
    female, age = _sexes_and_ages(inc.context[incident], rng)
    given_tables = {c * 2 + s: t for (c, s), t in vocab.given.items()}
    key = community * 2 + female
    given = _by_group(key, given_tables, rng)
    for _ in range(2):  # brothers and sisters seldom share a given name
        same = np.flatnonzero((household[1:] == household[:-1]) & (given[1:] == given[:-1])) + 1
        given[same] = _by_group(key[same], given_tables, rng)
    second = _by_group(key, given_tables, rng)
    nickname = rng.random(n) < np.where(female, 0.005, 0.03)
    nick = vocab.nicknames[rng.integers(0, len(vocab.nicknames), n)]
    second = np.where(second == given, -1, second)  # no "Lalla Lalla"
    middle = np.where(nickname, nick, np.where(rng.random(n) < 0.18, second, -1))
    family_tables = {
        c: vocab.surnames.get(c) or vocab.given[(c, 0)] for c in range(len(COMMUNITIES))
    }
    family = _by_group(h_community, family_tables, rng)[household]  # patronymic: the father
    particle_of = np.full((len(COMMUNITIES), 2), -1)
    for (c, s), lemma in vocab.particles.items():
        particle_of[c, s] = lemma
    particle = particle_of[community, female.astype(np.int64)]
    delay = np.where(rng.random(n) < 0.04, rng.integers(1, 16, n), 0)
    persons = _Persons(
        incident,
        community,
        female,
        age,
        given,
        middle,
        nickname,
        family,
        particle,
        _own_spelling(vocab, given, rng),
        _own_spelling(vocab, middle, rng),
        _own_spelling(vocab, family, rng),
        delay,
        _by_group(h_community * 2, given_tables, father_rng)[household],  # one per household
    )
    _make_homonyms(persons, inc.victims, rng)
    # "Alhousseini Ag Mohamed": the name after the particle is the father's
    np.copyto(persons.father, persons.family, where=persons.particle >= 0)
    return persons


def _make_homonyms(p: _Persons, victims: np.ndarray, rng: np.random.Generator) -> None:
    """In a quarter of incidents with 3+ victims, the last victim bears the first one's full
    name (another household, another age, and another father unless the name is "Ag X",
    which names him): two people, one name."""
    starts = np.cumsum(victims) - victims
    chosen = (victims >= 3) & (rng.random(len(victims)) < 0.25)
    a, b = starts[chosen], starts[chosen] + victims[chosen] - 1
    for name in (
        "community",
        "female",
        "given",
        "middle",
        "nickname",
        "family",
        "particle",
        "own_given",
        "own_middle",
        "own_family",
    ):
        column = getattr(p, name)
        column[b] = column[a]
    gap = rng.integers(5, 26, len(a)) * np.where(rng.random(len(a)) < 0.5, -1, 1)
    older = p.age[a] + gap
    p.age[b] = np.where((older < 1) | (older > 90), p.age[a] - gap, older)
