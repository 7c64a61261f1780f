"""Demo ACLED export: their real columns and actor names, partial coverage.

Never writes a person's name: ACLED counts deaths, they do not name victims.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from civharm.demo.events import draw_date
from civharm.demo.files import write_csv
from civharm.demo.people import strip_accents
from civharm.demo.places import Locality, locality_weights
from civharm.demo.truth import SourceFile, SourceRow, TrueEvent

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

_ACLED_COMMUNITY = {
    "fulfulde": "Fulani Ethnic Group (Mali)",
    "dogon": "Dogon Ethnic Group (Mali)",
    "bambara": "Bambara Ethnic Group (Mali)",
    "songhay": "Songhai Ethnic Group (Mali)",
    "tamasheq": "Tuareg Ethnic Group (Mali)",
    "arab": "Arab Ethnic Group (Mali)",
}
_ACLED_SOURCES = (
    "Studio Tamani", "Kibaru", "Malijet", "AFP", "RFI", "Jeune Afrique", "Mali Actu",
    "Twitter", "Facebook", "Menastream", "Sahel Intelligence", "Human Rights Watch",
)  # fmt: skip
_ACLED_SCALES = ("National", "Subnational", "International", "Local partner-National", "New media")


def acled_actor(key: str, day: date) -> tuple[str, str]:
    """ACLED's name for an actor on a day, and its inter code label."""
    if key == "fama":
        if day < date(2020, 8, 18):
            return "Military Forces of Mali (2013-2020)", "State forces"
        if day < date(2021, 5, 24):
            return "Military Forces of Mali (2020-2021)", "State forces"
        return "Military Forces of Mali (2021-)", "State forces"
    if key == "is_sahel":
        name = "Islamic State (Greater Sahara)" if day < date(2022, 3, 1) else "Islamic State Sahel"
        return name, "Rebel group"
    if key == "csp_signatory":
        if day < date(2023, 1, 1):
            return "CMA: Coordination of Azawad Movements", "Rebel group"
        return "CSP-PSD: Permanent Strategic Framework for Peace, Security and Development", (
            "Rebel group"
        )
    return {
        "jnim": ("JNIM: Group for Support of Islam and Muslims", "Rebel group"),
        "dan_na_ambassagou": ("Dan Na Ambassagou", "Identity militia"),
        "dozo_militia": ("Dozo Communal Militia (Mali)", "Identity militia"),
        "community_militia_other": ("Fulani Ethnic Militia (Mali)", "Identity militia"),
        "barkhane": ("Military Forces of France", "External/Other forces"),
        "africa_corps_wagner": ("Wagner Group", "External/Other forces"),
    }.get(key, ("Unidentified Armed Group (Mali)", "Political militia"))


def _acled_event_type(event: TrueEvent) -> tuple[str, str, str]:
    """(event_type, sub_event_type, civilian_targeting) for the event's context."""
    context, tolls = event.context, event.tolls
    if context == "air_drone_strike":
        return "Explosions/Remote violence", "Air/drone strike", "Civilian targeting"
    if context == "ied_landmine":
        return "Explosions/Remote violence", "Remote explosive/landmine/IED", "Civilian targeting"
    if context == "clash_crossfire":
        return "Battles", "Armed clash", ""
    if tolls["killed"] == 0 and tolls["abducted"] > 0:
        return "Violence against civilians", "Abduction/forced disappearance", "Civilian targeting"
    if tolls["killed"] == 0 and context == "looting_extortion":
        return "Strategic developments", "Looting/property destruction", ""
    return "Violence against civilians", "Attack", "Civilian targeting"


_CONTEXT_PHRASES_EN = {
    "attack_on_village": "attacked the village of {place}",
    "ground_operation": "conducted an operation in and around {place}",
    "arrest_detention": "arrested civilians in {place} and executed some of them",
    "search_cordon": "cordoned off and searched {place}",
    "patrol": "on patrol opened fire on civilians near {place}",
    "checkpoint": "at a checkpoint near {place} fired on civilians",
    "air_drone_strike": "carried out a drone strike on {place}",
    "ied_landmine": "planted an IED that hit a civilian vehicle near {place}",
    "ambush": "ambushed civilian travellers near {place}",
    "abduction": "abducted civilians in {place}",
    "looting_extortion": "looted {place} and stole livestock",
    "market_attack": "attacked the weekly market of {place}",
    "clash_crossfire": "clashed near {place}; civilians were caught in the crossfire",
}


def english_summary(event: TrueEvent, perpetrator: str, place: str, killed: int) -> str:
    phrase = _CONTEXT_PHRASES_EN.get(event.context, "attacked civilians in {place}")
    text = f"{perpetrator} {phrase.format(place=place)}"
    if killed:
        text += f", killing {killed} civilians"
    if event.tolls["abducted"]:
        text += f"; {event.tolls['abducted']} people were abducted"
    return text + "."


def noisy_count(rng: random.Random, true: int, spread: float) -> int:
    """A toll as a source reports it: exact for small numbers, off by a few for larger."""
    if true <= 3 and rng.random() < 0.85:
        return true
    return max(0, round(true + rng.gauss(0, spread * true + 0.5)))


def _acled_date(rng: random.Random, day: date) -> tuple[date, int]:
    roll = rng.random()
    if roll < 0.8:
        return day, 1
    if roll < 0.95:
        return day + timedelta(days=rng.randint(-3, 3)), 2
    return day.replace(day=15), 3


def _acled_row(rng: random.Random, event: TrueEvent) -> dict[str, object]:
    loc = event.locality
    day, precision = _acled_date(rng, event.date)
    actor1, inter1 = acled_actor(event.actor_key, event.date)
    event_type, sub_event, targeting = _acled_event_type(event)
    fatalities = noisy_count(rng, event.tolls["killed"], 0.12)
    assoc1 = acled_actor(event.partner_key, event.date)[0] if event.partner_key else ""
    if event.actor_key == "jnim" and loc.region_key in ("mopti", "segou") and rng.random() < 0.4:
        assoc1 = "Katiba Macina"
    community = _ACLED_COMMUNITY.get(event.community, "") if rng.random() < 0.5 else ""
    return {
        "event_date": day.isoformat(),
        "year": day.year,
        "time_precision": precision,
        "disorder_type": "Political violence",
        "event_type": event_type,
        "sub_event_type": sub_event,
        "actor1": actor1,
        "assoc_actor_1": assoc1,
        "inter1": inter1,
        "actor2": "Civilians (Mali)",
        "assoc_actor_2": community,
        "inter2": "Civilians",
        "interaction": f"{inter1}-Civilians",
        "civilian_targeting": targeting,
        "notes": f"On {_english_date(day)}, "
        + english_summary(event, _short_actor(event.actor_key), loc.ascii_name, fatalities),
        "fatalities": fatalities,
        **_acled_place(rng, loc),
    }


def _english_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _short_actor(key: str) -> str:
    return {
        "fama": "Malian soldiers",
        "africa_corps_wagner": "Wagner Group fighters",
        "barkhane": "French forces",
        "jnim": "JNIM militants",
        "is_sahel": "IS Sahel militants",
        "dan_na_ambassagou": "Dan Na Ambassagou militiamen",
        "dozo_militia": "Dozo hunters",
        "community_militia_other": "Fulani militiamen",
        "csp_signatory": "fighters of a signatory armed group",
        "criminals": "suspected bandits",
    }.get(key, "Unidentified gunmen")


def _acled_place(rng: random.Random, loc: Locality) -> dict[str, object]:
    return {
        "iso": 466,
        "region": "Western Africa",
        "country": "Mali",
        "admin1": strip_accents(loc.admin1_name),
        "admin2": strip_accents(loc.admin2_name),
        "admin3": strip_accents(loc.admin3_name),
        "location": loc.ascii_name,
        "latitude": f"{loc.latitude:.4f}",
        "longitude": f"{loc.longitude:.4f}",
        "geo_precision": rng.choices((1, 2, 3), weights=(0.7, 0.25, 0.05))[0],
        "source": "; ".join(rng.sample(_ACLED_SOURCES, rng.randint(1, 3))),
        "source_scale": rng.choice(_ACLED_SCALES),
        "tags": "",
    }


_CLASH_PAIRS = (
    ("fama", "jnim"), ("fama", "is_sahel"), ("jnim", "is_sahel"), ("fama", "csp_signatory"),
    ("dan_na_ambassagou", "jnim"), ("csp_signatory", "is_sahel"), ("dozo_militia", "jnim"),
)  # fmt: skip


def _clash_row(rng: random.Random, loc: Locality, day: date) -> dict[str, object]:
    """A battle between armed groups: real in ACLED, not civilian harm, not in the truth."""
    first, second = rng.choice(_CLASH_PAIRS)
    actor1, inter1 = acled_actor(first, day)
    actor2, inter2 = acled_actor(second, day)
    fatalities = int(rng.expovariate(1 / 8))
    note = f"On {_english_date(day)}, {_short_actor(first)} clashed with {_short_actor(second)}"
    return {
        "event_date": day.isoformat(),
        "year": day.year,
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": actor1,
        "assoc_actor_1": "",
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": "",
        "inter2": inter2,
        "interaction": f"{inter1}-{inter2}",
        "civilian_targeting": "",
        "notes": f"{note} near {loc.ascii_name}. {fatalities} fatalities reported.",
        "fatalities": fatalities,
        **_acled_place(rng, loc),
    }


def write_acled(
    path: Path,
    rng: random.Random,
    events: list[TrueEvent],
    localities: list[Locality],
    n_clashes: int,
) -> SourceFile:
    """About 70% of the events (large ones always), plus battles not in the truth."""
    drafted: list[tuple[date, dict[str, object], SourceRow]] = []
    for event in events:
        cover = 1.0 if event.is_large else 0.9 if event.tolls["killed"] >= 10 else 0.66
        if rng.random() < cover:
            row = _acled_row(rng, event)
            drafted.append((event.date, row, SourceRow(0, "event", event.event_id)))
    weights = locality_weights(localities)
    for _ in range(n_clashes):
        day = draw_date(rng)
        loc = rng.choices(localities, weights=weights)[0]
        drafted.append((day, _clash_row(rng, loc, day), SourceRow(0, "not_in_truth")))
    drafted.sort(key=lambda item: (item[0], str(item[1]["location"])))
    number = 10000
    for _day, row, _source in drafted:
        number += rng.randint(1, 40)
        row["event_id_cnty"] = f"MLI{number}"
        row["timestamp"] = _timestamp(rng, _day)
    drafted.reverse()  # ACLED exports list the newest event first
    source = SourceFile(path.name, "acled", "utf-8", ",")
    for row_number, (_day, _row, origin) in enumerate(drafted, start=2):
        source.rows.append(SourceRow(row_number, origin.kind, origin.event_id))
    write_csv(path, ACLED_COLUMNS, ([row[c] for c in ACLED_COLUMNS] for _, row, _ in drafted))
    return source


def _timestamp(rng: random.Random, day: date) -> int:
    moment = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return int((moment + timedelta(days=rng.randint(3, 40))).timestamp())
