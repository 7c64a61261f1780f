"""What each source saw and wrote: sightings, incident reports, victim records.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from civharm.linkage.synthetic.arrays import _blank, _choose, _flag, _profile_array, _shift_days
from civharm.linkage.synthetic.events import _actor_table, _context_id, _draw_actor_sets, _Incidents
from civharm.linkage.synthetic.people import _Persons
from civharm.linkage.synthetic.places import _place_text, _Places
from civharm.linkage.synthetic.tables import (
    _CONFUSED_CONTEXT,
    _CONTEXTS,
    _HARMS,
    _JOINED_STYLE,
    _PARTICLE_STYLE_WEIGHTS,
    KM_PER_DEGREE,
    SourceProfile,
)
from civharm.linkage.synthetic.vocabulary import _Vocab, _vocab

# ---------------------------------------------------------------------------------------------
# Sightings: which source saw which incident, and how it placed and dated it. A source's
# report and its victim list of one incident share these.


@dataclass(frozen=True)
class _Sightings:
    incident: np.ndarray
    source: np.ndarray  # index into the profiles
    day: np.ndarray
    level: np.ndarray  # 0 village, 1 cercle only, 2 region only
    place_name: np.ndarray
    region: np.ndarray  # the region as the source codes it
    region_name: np.ndarray


def _sightings(
    inc: _Incidents, places: _Places, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> _Sightings:
    reach = np.array([p.reach for p in profiles])  # (sources, zones)
    size = _profile_array(profiles, "size_bias")
    p = _profile_array(profiles, "knows") * reach[:, inc.zone].T
    p = np.minimum(p * (1 + size * np.log1p(inc.victims)[:, None]), 0.97)
    incident, source = np.nonzero(rng.random(p.shape) < p)
    m = len(incident)
    shift = _shift_days(m, rng, _profile_array(profiles, "late_bias")[source])
    day = inc.day[incident] + np.where(
        _flag(_profile_array(profiles, "date_shift")[source], rng, m), shift, 0
    )
    u = rng.random(m)
    p_region = _profile_array(profiles, "place_region")[source]
    p_cercle = _profile_array(profiles, "place_cercle")[source]
    level = np.where(u < p_region, 2, np.where(u < p_region + p_cercle, 1, 0))
    admin, cercle = places.admin, inc.cercle[incident]
    old = _flag(_profile_array(profiles, "old_codes")[source], rng, m)
    region = np.where(old, admin.cercle_old_region[cercle], admin.cercle_region[cercle])
    n_villages = len(places.village_cercle)
    place = np.where(
        level == 0,
        inc.village[incident],
        np.where(level == 1, n_villages + cercle, n_villages + len(admin.cercle_pcode) + region),
    )
    variant = _profile_array(profiles, "place_variant")[source]
    region_name = _place_text(places, n_villages + len(admin.cercle_pcode) + region, variant, rng)
    return _Sightings(
        incident, source, day, level, _place_text(places, place, variant, rng), region, region_name
    )


# ---------------------------------------------------------------------------------------------
# Incident reports.


def _report_dates(
    day: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, precision): day, or the week, month or year around it."""
    u = rng.random(len(day))
    p_year, p_month, p_week = (
        _profile_array(profiles, k)[source] for k in ("year", "month", "week")
    )
    precision = np.where(
        u < p_year,
        "year",
        np.where(
            u < p_year + p_month, "month", np.where(u < p_year + p_month + p_week, "week", "day")
        ),
    )
    dates = day.astype("datetime64[D]")
    monday = dates - ((day + 3) % 7)
    month = dates.astype("datetime64[M]")
    year = dates.astype("datetime64[Y]")
    start = np.select(
        [precision == "week", precision == "month", precision == "year"],
        [monday, month.astype("datetime64[D]"), year.astype("datetime64[D]")],
        dates,
    )
    end = np.select(
        [precision == "week", precision == "month", precision == "year"],
        [
            monday + 6,
            (month + 1).astype("datetime64[D]") - 1,
            (year + 1).astype("datetime64[D]") - 1,
        ],
        dates,
    )
    return start, end, precision.astype(object)


def _report_points(
    s: _Sightings,
    inc: _Incidents,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(point, precision): the village point jittered 0-15 km ("exact" or "near"), the
    cercle's chief town ("admin2"), or nothing ("admin1" when only the region is known)."""
    m = len(s.incident)
    point = places.village_point[inc.village[s.incident]].copy()
    km = np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0, 15, m))
    angle = rng.uniform(0, 2 * np.pi, m)
    point[:, 0] += km * np.cos(angle) / KM_PER_DEGREE
    point[:, 1] += km * np.sin(angle) / (KM_PER_DEGREE * np.cos(np.radians(point[:, 0])))
    chief_town = places.admin.cercle_point[inc.cercle[s.incident]]
    use_town = (s.level == 1) | _flag(_profile_array(profiles, "coords_cercle")[s.source], rng, m)
    point = np.where(use_town[:, None], chief_town, point)
    missing = (s.level == 2) | _flag(_profile_array(profiles, "coords_missing")[s.source], rng, m)
    precision = np.where(
        s.level == 2, "admin1", np.where(use_town, "admin2", np.where(km == 0, "exact", "near"))
    ).astype(object)
    return np.where(missing[:, None], np.nan, point.round(5)), precision


def _report_actors(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> list[list[str] | None]:
    table = _actor_table()
    m = len(s.incident)
    actors = inc.actors[s.incident]
    other = _draw_actor_sets(inc.context[s.incident], inc.year[s.incident], rng)
    actors = np.where(
        _flag(_profile_array(profiles, "actor_other")[s.source], rng, m), other, actors
    )
    vague = np.where(
        table.has_veo[actors] & (rng.random(m) < 0.5), table.vague_veo, table.vague_unknown
    )
    actors = np.where(
        _flag(_profile_array(profiles, "actor_vague")[s.source], rng, m), vague, actors
    )
    missing = _flag(_profile_array(profiles, "actor_missing")[s.source], rng, m)
    return [None if gone else list(table.sets[a]) for a, gone in zip(actors, missing, strict=True)]


def _report_harms(s: _Sightings, inc: _Incidents, rng: np.random.Generator) -> list[list[str]]:
    """The main harm always; each other harm mentioned by 60 % of the reports."""
    mask = inc.harms[s.incident]
    mentioned = np.zeros(len(mask), dtype=np.int64)
    for bit in range(2, len(_HARMS)):
        mentioned |= (rng.random(len(mask)) < 0.6).astype(np.int64) << bit
    mask = mask & (mentioned | 3)
    keys = {m: [h for b, h in enumerate(_HARMS) if m >> b & 1] for m in np.unique(mask)}
    return [list(keys[m]) for m in mask]


def _report_killed(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> pd.arrays.IntegerArray:
    m = len(s.incident)
    true = inc.killed[s.incident]
    noisy = np.rint(true * (1 + rng.uniform(-0.3, 0.3, m))).astype(np.int64)
    noisy = np.where(true > 0, np.maximum(noisy, 1), 0)
    rounded = np.where(noisy > 20, np.rint(noisy / 5) * 5, noisy).astype(np.int64)  # "about 25"
    killed = np.where(
        _flag(_profile_array(profiles, "killed_noisy")[s.source], rng, m), rounded, true
    )
    p_missing = _profile_array(profiles, "killed_missing")[s.source]
    missing = _flag(np.where(true == 0, np.maximum(p_missing, 0.5), p_missing), rng, m)
    return pd.arrays.IntegerArray(killed, missing)


def _report_contexts(
    s: _Sightings, inc: _Incidents, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> np.ndarray:
    keys = np.array([*_CONTEXTS, "unknown"], dtype=object)
    confused = np.array([_context_id(_CONFUSED_CONTEXT.get(k, k)) for k in _CONTEXTS])
    m = len(s.incident)
    context = inc.context[s.incident]
    flip = _flag(_profile_array(profiles, "context_confused")[s.source], rng, m)
    text = keys[np.where(flip, confused[context], context)]
    unknown = _flag(_profile_array(profiles, "context_unknown")[s.source], rng, m)
    return _blank(np.where(unknown, "unknown", text), unknown & (rng.random(m) < 0.5))


def _reports(
    s: _Sightings,
    inc: _Incidents,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> pd.DataFrame:
    start, end, precision = _report_dates(s.day, s.source, profiles, rng)
    point, geo_precision = _report_points(s, inc, places, profiles, rng)
    admin = places.admin
    cercle = inc.cercle[s.incident]
    region_only = s.level == 2
    frame = pd.DataFrame(
        {
            "source": np.array([p.name for p in profiles], dtype=object)[s.source],
            "date_start": start.astype("datetime64[ns]"),
            "date_end": end.astype("datetime64[ns]"),
            "date_precision": precision,
            "latitude": point[:, 0],
            "longitude": point[:, 1],
            "admin1_pcode": admin.region_pcode[s.region],
            "admin2_pcode": _blank(admin.cercle_pcode[cercle], region_only),
            "place_name": _blank(s.place_name, region_only & (rng.random(len(cercle)) < 0.4)),
            "actors": _report_actors(s, inc, profiles, rng),
            "harm_types": _report_harms(s, inc, rng),
            "killed": _report_killed(s, inc, profiles, rng),
            "interaction_context": _report_contexts(s, inc, profiles, rng),
            "true_incident_id": s.incident.astype(np.int64) + 1,
        }
    )
    unstated = _flag(_profile_array(profiles, "precision_missing")[s.source], rng, len(cercle))
    frame["geo_precision"] = _blank(geo_precision, unstated)
    return frame


# ---------------------------------------------------------------------------------------------
# Victim records: names as each list writes them.


@dataclass(frozen=True)
class _NameStyle:
    variant: np.ndarray  # probability of another spelling, per record
    drop_accents: np.ndarray
    surname_first: np.ndarray
    upper_surname: np.ndarray
    all_upper: np.ndarray
    keep_middle: np.ndarray
    particle_style: np.ndarray


def _list_styles(
    source: np.ndarray, profiles: tuple[SourceProfile, ...], rng: np.random.Generator
) -> _NameStyle:
    n = len(source)

    def flag(name: str) -> np.ndarray:
        return _flag(_profile_array(profiles, name)[source], rng, n)

    styles = np.cumsum(_PARTICLE_STYLE_WEIGHTS) / sum(_PARTICLE_STYLE_WEIGHTS)
    return _NameStyle(
        variant=_profile_array(profiles, "variant")[source],
        drop_accents=flag("drop_accents"),
        surname_first=flag("surname_first"),
        upper_surname=flag("upper_surname"),
        all_upper=flag("all_upper"),
        keep_middle=~flag("drop_middle"),
        particle_style=_choose(styles, rng, n),
    )


def _canonical_style(n: int) -> _NameStyle:
    no = np.zeros(n, dtype=bool)
    return _NameStyle(np.zeros(n), no, no, no, no, ~no, np.zeros(n, dtype=np.int64))


def _spell(
    vocab: _Vocab,
    lemma: np.ndarray,
    own: np.ndarray,
    p_variant: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Spelling id: the person's own spelling, or (with p_variant) any spelling of the name."""
    safe = np.maximum(lemma, 0)
    n = len(lemma)
    other = (rng.random(n) * vocab.counts[safe]).astype(np.int64)
    return vocab.offsets[safe] + np.where(rng.random(n) < p_variant, other, own)


def _compose_names(
    p: _Persons, who: np.ndarray, style: _NameStyle, rng: np.random.Generator
) -> np.ndarray:
    """'Amadou Hamadoun Diallo', 'DIALLO Amadou', 'Alhousseini Ag Mohamed', 'Agmohamed …'."""
    vocab = _vocab()
    forms = vocab.forms
    accents = style.drop_accents.astype(np.int64)
    upper = style.all_upper.astype(np.int64)
    upper_family = style.all_upper | (style.surname_first & style.upper_surname)
    given = forms[
        accents + 2 * upper, _spell(vocab, p.given[who], p.own_given[who], style.variant, rng)
    ]
    middle_lemma = p.middle[who]
    middle = forms[
        accents + 2 * upper, _spell(vocab, middle_lemma, p.own_middle[who], style.variant, rng)
    ]
    joiner = np.where(p.nickname[who], np.where(style.all_upper, " DIT ", " dit "), " ")
    middle = np.where((middle_lemma >= 0) & style.keep_middle, joiner + middle, "")
    particle = p.particle[who]
    joined = (particle >= 0) & (style.particle_style == _JOINED_STYLE) & ~upper_family
    family_case = np.where(joined, 2, upper_family.astype(np.int64))
    family = forms[
        accents + 2 * family_case,
        _spell(vocab, p.family[who], p.own_family[who], style.variant, rng),
    ]
    particle_spelling = _spell(
        vocab, particle, np.zeros(len(who), dtype=np.int64), style.variant, rng
    )
    prefix = vocab.particle_forms[
        upper_family.astype(np.int64), style.particle_style, particle_spelling
    ]
    family = np.where(particle >= 0, prefix + family, family)
    return np.where(
        style.surname_first, family + " " + given + middle, given + middle + " " + family
    )


def _add_typos(names: np.ndarray, rows: np.ndarray, rng: np.random.Generator) -> None:
    """One edit (substitution, deletion, insertion, transposition) in each chosen name."""
    letters = "aeioubdfgklmnrstyz"
    draws = rng.random((len(rows), 3))
    for (u_pos, u_op, u_letter), row in zip(draws, rows, strict=True):
        name = names[row]
        pos = int(u_pos * (len(name) - 1))
        if not name[pos].isalpha() or not name[pos + 1].isalpha():
            continue
        letter = letters[int(u_letter * len(letters))]
        letter = letter.upper() if name[pos].isupper() else letter
        op = int(u_op * 4)
        if op == 0:
            names[row] = name[:pos] + letter + name[pos + 1 :]
        elif op == 1:
            names[row] = name[:pos] + name[pos + 1 :]
        elif op == 2:
            names[row] = name[:pos] + letter + name[pos:]
        else:
            names[row] = name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]


def _record_ages(
    true_age: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> pd.arrays.IntegerArray:
    """Ages off by up to 3 years, heaped on 5s and 10s (an age band), or missing."""
    n = len(true_age)
    noise = rng.integers(-3, 4, n) * _flag(_profile_array(profiles, "age_noise")[source], rng, n)
    age = np.maximum(true_age + noise, 0)
    step = np.where(rng.random(n) < 0.5, 5, 10)
    heaped = np.where(age >= 15, np.rint(age / step) * step, age).astype(np.int64)
    age = np.where(_flag(_profile_array(profiles, "age_heaped")[source], rng, n), heaped, age)
    missing = _flag(_profile_array(profiles, "age_missing")[source], rng, n)
    return pd.arrays.IntegerArray(age.astype(np.int64), missing)


def _record_sexes(
    female: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(female)
    written = female ^ (rng.random(n) < 0.005)  # the odd clerical slip
    sex = np.where(written, "f", "m").astype(object)
    return _blank(sex, _flag(_profile_array(profiles, "sex_missing")[source], rng, n))


def _captured(
    s: _Sightings,
    inc: _Incidents,
    p: _Persons,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """(sighting, person) of each victim a source names, plus re-entered duplicates."""
    counts = inc.victims[s.incident]
    sighting = np.repeat(np.arange(len(counts)), counts)
    first_person = (np.cumsum(inc.victims) - inc.victims)[s.incident]
    within = np.arange(len(sighting)) - np.repeat(np.cumsum(counts) - counts, counts)
    person = np.repeat(first_person, counts) + within
    p_name = _profile_array(profiles, "names_victim")[s.source[sighting]]
    keep = rng.random(len(person)) < np.where(p.female[person], 0.9, 1.0) * p_name
    sighting, person = sighting[keep], person[keep]
    again = _flag(_profile_array(profiles, "duplicates")[s.source[sighting]] / 2, rng, len(person))
    return np.concatenate([sighting, sighting[again]]), np.concatenate([person, person[again]])


def _event_dates(
    s: _Sightings,
    sighting: np.ndarray,
    p: _Persons,
    person: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
) -> np.ndarray:
    n = len(sighting)
    source = s.source[sighting]
    day = s.day[sighting] + np.where(rng.random(n) < 0.7, p.delay[person], 0)
    odd = rng.random(n) < 0.05
    day = day + np.where(odd, _shift_days(n, rng, np.zeros(n, dtype=bool)), 0)
    dates = day.astype("datetime64[D]").astype("datetime64[ns]")
    missing = _flag(_profile_array(profiles, "date_missing")[source], rng, n)
    return np.where(missing, np.datetime64("NaT", "ns"), dates)


def _father_names(
    p: _Persons,
    person: np.ndarray,
    source: np.ndarray,
    profiles: tuple[SourceProfile, ...],
    share: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """The father's given name as the list writes it ("fils de Moussa": Moussa), on a share
    of the records, else None."""
    n = len(person)
    style = _list_styles(source, profiles, rng)
    vocab = _vocab()
    zero = np.zeros(n, dtype=np.int64)
    spelling = _spell(vocab, p.father[person], zero, style.variant, rng)
    form = style.drop_accents.astype(np.int64) + 2 * style.all_upper.astype(np.int64)
    written: np.ndarray = vocab.forms[form, spelling].astype(object)
    written[rng.random(n) >= share] = None
    return written


def _victims(
    s: _Sightings,
    inc: _Incidents,
    p: _Persons,
    places: _Places,
    profiles: tuple[SourceProfile, ...],
    rng: np.random.Generator,
    father_rng: np.random.Generator,
    father_share: float,
) -> pd.DataFrame:
    """The victim records; with `father_share` > 0, `father_name` on that share of them (drawn
    from `father_rng`: the other columns stay the same), else None throughout."""
    sighting, person = _captured(s, inc, p, profiles, rng)
    source = s.source[sighting]
    n = len(person)
    names = _compose_names(p, person, _list_styles(source, profiles, rng), rng)
    _add_typos(names, np.flatnonzero(_flag(_profile_array(profiles, "typo")[source], rng, n)), rng)
    # some records give only the region, whatever the list's report of the incident says
    region_only = (s.level[sighting] == 2) | _flag(
        _profile_array(profiles, "place_region")[source] / 2, rng, n
    )
    place = np.where(region_only, s.region_name[sighting], s.place_name[sighting])
    place = _blank(place, region_only & (rng.random(n) < 0.5))
    admin = places.admin
    fathers = np.full(n, None, dtype=object)  # no draw at all without fathers: same records
    if father_share > 0:
        fathers = _father_names(p, person, source, profiles, father_share, father_rng)
    return pd.DataFrame(
        {
            "source": np.array([pr.name for pr in profiles], dtype=object)[source],
            "full_name": names,
            "sex": _record_sexes(p.female[person], source, profiles, rng),
            "age": _record_ages(p.age[person], source, profiles, rng),
            "event_date": _event_dates(s, sighting, p, person, profiles, rng),
            "admin1_pcode": admin.region_pcode[s.region[sighting]],
            "admin2_pcode": _blank(
                admin.cercle_pcode[inc.cercle[s.incident[sighting]]], region_only
            ),
            "place_name": place,
            "father_name": fathers,
            "true_person_id": person.astype(np.int64) + 1,
            "true_incident_id": s.incident[sighting].astype(np.int64) + 1,
        }
    )
