"""Demo UCDP GED export (one-sided violence against civilians) and a streaming bulk writer.

Never names a victim; the bulk writer never holds its rows in memory.
"""

from __future__ import annotations

import csv
import io
import random
from calendar import monthrange
from datetime import date, timedelta
from pathlib import Path

from civharm.demo.acled import noisy_count
from civharm.demo.files import write_csv
from civharm.demo.people import strip_accents
from civharm.demo.places import Locality, load_localities, locality_weights
from civharm.demo.truth import SourceFile, SourceRow, TrueEvent

UCDP_COLUMNS = [
    "id",
    "relid",
    "year",
    "active_year",
    "code_status",
    "type_of_violence",
    "conflict_dset_id",
    "conflict_new_id",
    "conflict_name",
    "dyad_dset_id",
    "dyad_new_id",
    "dyad_name",
    "side_a_dset_id",
    "side_a_new_id",
    "side_a",
    "side_b_dset_id",
    "side_b_new_id",
    "side_b",
    "number_of_sources",
    "source_article",
    "source_office",
    "source_date",
    "source_headline",
    "source_original",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "geom_wkt",
    "priogrid_gid",
    "country",
    "country_id",
    "region",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
    "gwnoa",
    "gwnob",
]

# UCDP names for the perpetrators it can attribute (it does not code unknown gunmen),
# with made-up but stable actor and conflict ids, and the GW country code of states.
UCDP_ACTORS: dict[str, tuple[str, int, int, str]] = {
    "fama": ("Government of Mali", 145, 1434, "432"),
    "africa_corps_wagner": ("Wagner Group", 7034, 14567, ""),
    "barkhane": ("Government of France", 78, 1386, "220"),
    "jnim": ("JNIM", 6807, 13902, ""),
    "is_sahel": ("IS Sahel", 1084, 13581, ""),
    "dan_na_ambassagou": ("Dan Na Ambassagou", 6910, 14021, ""),
    "dozo_militia": ("Dozo militia", 6922, 14033, ""),
    "csp_signatory": ("CMA", 5912, 12458, ""),
}
_OFFICES = ("Studio Tamani", "AFP", "RFI", "Reuters", "Jeune Afrique", "MINUSMA", "HRW", "Kibaru")
_ORIGINALS = ("Local residents", "Malian army", "Local official", "Community leader", "NGO")


def priogrid_gid(latitude: float, longitude: float) -> int:
    """PRIO-GRID cell id of a point (0.5-degree cells, numbered from the south-west)."""
    row = int((latitude + 90) // 0.5)
    column = int((longitude + 180) // 0.5)
    return row * 720 + column + 1


def _date_window(rng: random.Random, day: date) -> tuple[int, date, date]:
    roll = rng.random()
    if roll < 0.85:
        return 1, day, day
    if roll < 0.95:
        start = day - timedelta(days=rng.randint(0, 3))
        return 2, start, start + timedelta(days=rng.randint(1, 5))
    return 4, day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def _where(rng: random.Random, loc: Locality) -> tuple[int, str, str]:
    """(where_prec, where_coordinates, where_description)."""
    place, cercle = loc.ascii_name, strip_accents(loc.admin2_name)
    region = strip_accents(loc.admin1_name)
    roll = rng.random()
    if roll < 0.7:
        return 1, f"{place} village", f"The village of {place}, {cercle} cercle, {region} region"
    if roll < 0.9:
        return 2, f"{place} town", f"Near {place}, {cercle} cercle"
    return 3, f"{cercle} cercle", f"In {cercle} cercle, {region} region"


def _actor_fields(key: str) -> dict[str, object]:
    side_a, actor_id, conflict_id, gwno = UCDP_ACTORS[key]
    return {
        "type_of_violence": 3,
        "conflict_dset_id": conflict_id,
        "conflict_new_id": conflict_id,
        "conflict_name": f"{side_a} - Civilians",
        "dyad_dset_id": conflict_id + 1000,
        "dyad_new_id": conflict_id + 1000,
        "dyad_name": f"{side_a} - Civilians",
        "side_a_dset_id": actor_id,
        "side_a_new_id": actor_id,
        "side_a": side_a,
        "side_b_dset_id": 1,
        "side_b_new_id": 1,
        "side_b": "Civilians",
        "gwnoa": gwno,
        "gwnob": "",
    }


def _sources(rng: random.Random, day: date, headline: str) -> dict[str, object]:
    count = rng.randint(1, 4)
    offices = rng.sample(_OFFICES, min(count, len(_OFFICES)))
    dates = [(day + timedelta(days=rng.randint(0, 4))).isoformat() for _ in offices]
    return {
        "number_of_sources": count,
        "source_article": ";".join(
            f'"{o},{d},{headline}"' for o, d in zip(offices, dates, strict=True)
        ),
        "source_office": ";".join(offices),
        "source_date": ";".join(dates),
        "source_headline": headline,
        "source_original": ";".join(rng.sample(_ORIGINALS, rng.randint(1, 2))),
    }


def _place_fields(loc: Locality) -> dict[str, object]:
    return {
        "adm_1": f"{strip_accents(loc.admin1_name)} region",
        "adm_2": f"{strip_accents(loc.admin2_name)} cercle",
        "latitude": f"{loc.latitude:.6f}",
        "longitude": f"{loc.longitude:.6f}",
        "geom_wkt": f"POINT ({loc.longitude:.6f} {loc.latitude:.6f})",
        "priogrid_gid": priogrid_gid(loc.latitude, loc.longitude),
        "country": "Mali",
        "country_id": 432,
        "region": "Africa",
    }


def _deaths(rng: random.Random, killed: int) -> dict[str, object]:
    best = max(1, noisy_count(rng, killed, 0.1)) if killed else 0
    low = max(1, round(best * rng.uniform(0.7, 1.0)))
    high = max(best, round(best * rng.uniform(1.0, 1.5)))
    return {
        "deaths_a": 0,
        "deaths_b": 0,
        "deaths_civilians": best,
        "deaths_unknown": 0,
        "best": best,
        "high": high,
        "low": low,
    }


def _ucdp_row(rng: random.Random, event: TrueEvent, number: int) -> dict[str, object]:
    loc = event.locality
    precision, start, end = _date_window(rng, event.date)
    where_prec, where_coordinates, where_description = _where(rng, loc)
    headline = f"Civilians killed in {loc.ascii_name}"
    deaths = _deaths(rng, event.tolls["killed"])
    conflict_id = UCDP_ACTORS[event.actor_key][2]
    return {
        "id": 400000 + number,
        "relid": f"MLI-{start.year}-3-{conflict_id}-{number}",
        "year": start.year,
        "active_year": 1 if event.actor_key in ("fama", "jnim", "is_sahel") else 0,
        "code_status": "Clear",
        **_actor_fields(event.actor_key),
        **_sources(rng, start, headline),
        "where_prec": where_prec,
        "where_coordinates": where_coordinates,
        "where_description": where_description,
        **_place_fields(loc),
        "event_clarity": 1 if rng.random() < 0.9 else 2,
        "date_prec": precision,
        "date_start": start.isoformat(),
        "date_end": end.isoformat(),
        **deaths,
    }


def write_ucdp(path: Path, rng: random.Random, events: list[TrueEvent]) -> SourceFile:
    """About half of the events with deaths whose perpetrator UCDP can name."""
    rows: list[tuple[dict[str, object], str]] = []
    for event in events:
        if event.tolls["killed"] == 0 or event.actor_key not in UCDP_ACTORS:
            continue
        cover = 1.0 if event.is_large else 0.85 if event.tolls["killed"] >= 10 else 0.5
        if rng.random() < cover:
            rows.append((_ucdp_row(rng, event, len(rows) + 1), event.event_id))
    source = SourceFile(path.name, "ucdp", "utf-8", ",")
    source.rows = [SourceRow(i, "event", eid) for i, (_, eid) in enumerate(rows, start=2)]
    write_csv(path, UCDP_COLUMNS, ([row[c] for c in UCDP_COLUMNS] for row, _ in rows))
    return source


# --- bulk rows for the import benchmark -------------------------------------------------


def _csv_fragment(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


_Template = tuple[str, str, str, object, int]


def _bulk_templates(rng: random.Random, localities: list[Locality], count: int) -> list[_Template]:
    """Pre-rendered CSV pieces (actor, place, sources) that rows recombine quickly."""
    weights = locality_weights(localities)
    templates: list[_Template] = []
    for _ in range(count):
        loc = rng.choices(localities, weights=weights)[0]
        actor = rng.choice(list(UCDP_ACTORS))
        fields = _actor_fields(actor)
        where = _where(rng, loc)
        place = _place_fields(loc)
        middle = [fields[c] for c in UCDP_COLUMNS[5:18]]
        offices = rng.sample(_OFFICES, 2)
        headline = f"Civilians killed in {loc.ascii_name}"
        templates.append(
            (
                _csv_fragment(middle),
                _csv_fragment([2, f"{offices[0]} {headline}", ";".join(offices)]),
                _csv_fragment([headline, rng.choice(_ORIGINALS), *where, *place.values()]),
                fields["gwnoa"],
                UCDP_ACTORS[actor][2],
            )
        )
    return templates


def write_ucdp_rows(path: Path, n_rows: int, seed: int = 1) -> None:
    """Stream n UCDP-GED-shaped rows (real Mali places) to CSV, in constant memory."""
    rng = random.Random(seed)
    templates = _bulk_templates(rng, load_localities(), 512)
    first_day = date(1989, 1, 1).toordinal()
    span = date(2024, 12, 31).toordinal() - first_day
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(UCDP_COLUMNS) + "\r\n")
        lines: list[str] = []
        for number in range(1, n_rows + 1):
            middle, sources, place, gwnoa, conflict = templates[rng.getrandbits(9)]
            day = date.fromordinal(first_day + rng.randrange(span)).isoformat()
            year = day[:4]
            best = int(rng.expovariate(0.2)) + 1
            high = best + (best >> 1)
            lines.append(
                f"{number},MLI-{year}-3-{conflict}-{number},{year},1,Clear,{middle},"
                f"{sources},{day},{place},1,1,{day},{day},0,0,{best},0,{best},{high},"
                f"{best},{gwnoa},\r\n"
            )
            if len(lines) == 4096:
                handle.write("".join(lines))
                lines.clear()
        handle.write("".join(lines))
