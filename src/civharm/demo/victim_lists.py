"""Demo victim lists: an NGO's (cp1252 CSV, French) and the UN's (XLSX, English).

They name generated people only. Never print or log a row of these lists.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from civharm.demo.files import Cell, write_csv, write_xlsx
from civharm.demo.people import family_variant, father_of, given_variant, strip_accents
from civharm.demo.places import cercle_spelling, place_spelling, region_spelling
from civharm.demo.truth import SourceFile, SourceRow, TrueEvent, TrueVictim

NGO_COLUMNS = (
    "N°", "NOM", "Prénom", "Sexe (M/F)", "Âge", "Date du décès", "Lieu", "Cercle", "Région",
)  # fmt: skip
UN_COLUMNS = ("ID", "Full name", "Sex", "Age", "Date of death", "Location", "Region")

# The NGO works mostly in central Mali; it lists ~60% of the dead of the events it knows.
_NGO_EVENT_COVER = {"mopti": 0.75, "segou": 0.7}
_NGO_VICTIM_SHARE = 0.6


def _un_capture(event: TrueEvent) -> float:
    """UN capture is heterogeneous: large massacres are documented far better."""
    if event.is_large:
        return 0.6
    return 0.42 if event.tolls["killed"] >= 5 else 0.3


def _ngo_age(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if roll < 0.75:
        return str(age)
    if roll < 0.85:
        return ""
    return f"env. {max(5, round(age / 5) * 5)}"


def _ngo_row(rng: random.Random, victim: TrueVictim, event: TrueEvent) -> list[Cell]:
    family = victim.family_name.upper()
    if rng.random() < 0.4:
        family = strip_accents(family)
    given = victim.given_name if rng.random() < 0.7 else strip_accents(victim.given_name)
    sex = "" if rng.random() < 0.03 else ("F" if victim.sex == "female" else "M")
    day = event.date + timedelta(days=1 if rng.random() < 0.05 else 0)
    loc = event.locality
    return [
        0, family, given, sex, _ngo_age(rng, victim.age), day.strftime("%d/%m/%Y"),
        place_spelling(loc, rng, 0.3), cercle_spelling(loc, rng, 0.3),
        region_spelling(loc, rng, 0.3),
    ]  # fmt: skip


def _add_resent_rows(rng: random.Random, rows: list[list[Cell]], origins: list[SourceRow]) -> None:
    for index in sorted(rng.sample(range(len(rows)), min(2, len(rows)))):
        rows.append(list(rows[index]))
        origins.append(
            SourceRow(0, "duplicate", origins[index].event_id, origins[index].victim_id, "re-sent")
        )


def write_ngo_list(
    path: Path, rng: random.Random, events: list[TrueEvent], victims: list[TrueVictim]
) -> SourceFile:
    """NGO list of the dead: cp1252, ';', "NOM Prénom" with upper-case family names."""
    by_event = {e.event_id: e for e in events}
    known = {
        e.event_id
        for e in events
        if e.tolls["killed"]
        and rng.random() < (1.0 if e.is_large else _NGO_EVENT_COVER.get(e.locality.region_key, 0.3))
    }
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for victim in victims:
        if victim.harm_type != "killed" or victim.event_id not in known:
            continue
        if rng.random() < _NGO_VICTIM_SHARE:
            rows.append(_ngo_row(rng, victim, by_event[victim.event_id]))
            origins.append(SourceRow(0, "victim", victim.event_id, victim.victim_id))
    for number, row in enumerate(rows, start=1):
        row[0] = number
    _add_resent_rows(rng, rows, origins)
    source = SourceFile(path.name, "victims", "cp1252", ";")
    source.rows = [
        SourceRow(i, o.kind, o.event_id, o.victim_id, o.note) for i, o in enumerate(origins, 2)
    ]
    write_csv(path, NGO_COLUMNS, rows, encoding="cp1252", delimiter=";")
    return source


def _un_row(rng: random.Random, victim: TrueVictim, event: TrueEvent, number: int) -> list[Cell]:
    given = given_variant(rng, victim.given_name, 0.3)
    family = family_variant(rng, victim.family_name, 0.35)
    full_name = f"{given} {family}"
    if rng.random() < 0.4:
        full_name = strip_accents(full_name)
    sex = "Male" if victim.sex == "male" else "Female"
    if rng.random() < 0.1:
        sex = sex[0]
    day = event.date + timedelta(days=rng.choice((-1, 1)) if rng.random() < 0.1 else 0)
    loc = event.locality
    age: Cell = None if rng.random() < 0.15 else victim.age
    location = place_spelling(loc, rng, 0.3)
    return [
        f"UN-MLI-{number:05d}",
        full_name,
        sex,
        age,
        day,
        location,
        region_spelling(loc, rng, 0.5),
    ]


def write_un_list(
    path: Path, rng: random.Random, events: list[TrueEvent], victims: list[TrueVictim]
) -> SourceFile:
    """UN list of the dead: "Given Family" order, transliteration variants, ~45% capture."""
    by_event = {e.event_id: e for e in events}
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for victim in victims:
        if victim.harm_type != "killed":
            continue
        event = by_event[victim.event_id]
        if rng.random() < _un_capture(event):
            rows.append(_un_row(rng, victim, event, len(rows) + 1))
            origins.append(SourceRow(len(rows) + 1, "victim", event.event_id, victim.victim_id))
    write_xlsx(path, UN_COLUMNS, rows, sheet="Victims")
    return SourceFile(path.name, "victims", "xlsx", None, origins)


ASSOCIATION_COLUMNS = ("Nom et prénom", "Filiation", "Sexe", "Âge", "Date", "Village", "Cercle")
# Families know the father: the association gives the filiation of most of its dead.
_ASSOCIATION_FILIATION_SHARE = 0.7
# A victims' families association, strongest where its members live (Mopti); it lists the dead
# of the events it knows whatever the toll, so its capture is unlike the UN's and the NGO's.
_ASSOCIATION_EVENT_COVER = {"mopti": 0.8, "segou": 0.45}
_ASSOCIATION_VICTIM_SHARE = 0.55


def _association_row(rng: random.Random, victim: TrueVictim, event: TrueEvent) -> list[Cell]:
    given = given_variant(rng, victim.given_name, 0.25)
    family = family_variant(rng, victim.family_name, 0.3).upper()
    name = f"{family} {given}" if rng.random() < 0.6 else f"{given} {family}"
    age: Cell = "" if rng.random() < 0.3 else str(victim.age)
    loc = event.locality
    return [
        strip_accents(name) if rng.random() < 0.5 else name,
        _filiation(victim),
        "" if rng.random() < 0.1 else ("F" if victim.sex == "female" else "H"),
        age,
        (event.date + timedelta(days=rng.choice((0, 0, 0, 1)))).strftime("%d/%m/%Y"),
        place_spelling(loc, rng, 0.4),
        cercle_spelling(loc, rng, 0.3),
    ]


def _filiation(victim: TrueVictim) -> str:
    """'fils de …' / 'fille de …' on a share of the rows, drawn from the victim's own seed."""
    if random.Random(f"filiation:{victim.victim_id}").random() >= _ASSOCIATION_FILIATION_SHARE:
        return ""
    return f"{'fille' if victim.sex == 'female' else 'fils'} de {father_of(victim)}"


def write_association_list(
    path: Path, rng: random.Random, events: list[TrueEvent], victims: list[TrueVictim]
) -> SourceFile:
    """A victims' families association's list: UTF-8 CSV, whole names in one column, either
    order, the filiation of most ("fils de …"), no region (the cercle says where)."""
    by_event = {e.event_id: e for e in events}
    known = {
        e.event_id
        for e in events
        if rng.random() < _ASSOCIATION_EVENT_COVER.get(e.locality.region_key, 0.15)
    }
    rows: list[list[Cell]] = []
    origins: list[SourceRow] = []
    for victim in victims:
        if victim.harm_type != "killed" or victim.event_id not in known:
            continue
        if rng.random() < _ASSOCIATION_VICTIM_SHARE:
            rows.append(_association_row(rng, victim, by_event[victim.event_id]))
            origins.append(SourceRow(len(rows) + 1, "victim", victim.event_id, victim.victim_id))
    write_csv(path, ASSOCIATION_COLUMNS, rows, encoding="utf-8", delimiter=",")
    return SourceFile(path.name, "victims", "utf-8", ",", origins)
