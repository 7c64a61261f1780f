"""What a report's place really says, given the country pack's regions, cercles and main towns.

A source that knows only the cercle writes the cercle's name ("Cercle de Bankass", "BANKAS")
and gives the main town's point, or lets a geocoder put it there. Two such reports of two
events of one cercle would then "meet" within metres and on the place name, and the model
would count the cercle three times (distance, name, admin units). So a place name that only
names the report's own cercle or region is no place name, and a point at (or near) a main
town of the report's own cercle or region is no point: the admin units weigh the cercle.

Pure functions over the pack's files; they never log the text they are given.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from civharm.core.gazetteer import DEFAULT_PACK, parse_place_query
from civharm.linkage.names import spelling_skeleton

# At these precisions a report's point is a unit's centre or main town, never the place.
COARSE_PRECISIONS = frozenset({"admin3", "admin2", "admin1", "country"})
# A point this close to a main town is taken for the town's (a source's or a geocoder's
# stand-in for "somewhere in the cercle"): sources' gazetteers place a town within a km or two.
MAIN_TOWN_KM = 2.0
_MAIN_TOWNS = {"PPLA": "admin1", "PPLC": "admin1", "PPLA2": "admin2"}
# What is left of "Cercle", "Région de": a qualifier with no name is no place either.
_ONLY_QUALIFIER = frozenset({"cercle", "region", "district", "commune", "ville", "village"})


@dataclass(frozen=True)
class _Units:
    named: dict[str, frozenset[str]]  # unit key -> P-codes of the regions and cercles so named
    towns: dict[str, tuple[tuple[float, float], ...]]  # P-code -> its main towns' points
    all_towns: tuple[tuple[float, float], ...]


def unit_key(name: str) -> str:
    """'Cercle de Djenné', 'Djene', 'DJENNE' -> 'jene': a name without its qualifiers, in the
    spelling skeleton names use (ou/u, dj/j, doubled letters); '' for a bare qualifier."""
    key, _kind = parse_place_query(name)
    if key in _ONLY_QUALIFIER:
        return ""
    return spelling_skeleton(key)


def _pack_rows(filename: str) -> list[dict[str, str]]:
    path = resources.files("civharm.country_packs").joinpath(DEFAULT_PACK, filename)
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@cache
def _units() -> _Units:
    named: dict[str, set[str]] = defaultdict(set)
    for filename in ("admin1.csv", "admin2.csv"):
        for row in _pack_rows(filename):
            for name in (row["name"], row["ascii_name"], *row["alternate_names"].split("|")):
                if key := unit_key(name) if name.strip() else "":
                    named[key].add(row["pcode"])
    towns: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in _pack_rows("localities.csv"):
        level = _MAIN_TOWNS.get(row["feature"])
        if level is None:
            continue
        point = (float(row["latitude"]), float(row["longitude"]))
        towns[row["admin2_pcode"]].append(point)
        if level == "admin1":
            towns[row["admin1_pcode"]].append(point)
    return _Units(
        named={key: frozenset(codes) for key, codes in named.items()},
        towns={code: tuple(points) for code, points in towns.items()},
        all_towns=tuple(p for points in towns.values() for p in points),
    )


def _own_units(admin1: str | None, admin2: str | None) -> frozenset[str] | None:
    """The report's own units; None when it gives neither (then any unit may be meant)."""
    own = frozenset(code for code in (admin1, admin2) if code)
    return own or None


def names_only_its_unit(name: object, admin1: str | None, admin2: str | None) -> bool:
    """True if the place name is blank, a bare qualifier, or the name of the report's own
    region or cercle (of any region or cercle if the report gives neither)."""
    if not isinstance(name, str) or not name.strip():
        return True
    key = unit_key(name)
    if not key:
        return True
    named = _units().named.get(key)
    if named is None:
        return False
    own = _own_units(admin1, admin2)
    return own is None or not named.isdisjoint(own)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance on the sphere (haversine): exact enough at a few km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(min(h, 1.0)))


def at_a_main_town(
    latitude: float, longitude: float, admin1: str | None, admin2: str | None
) -> bool:
    """True if the point lies within MAIN_TOWN_KM of a main town of the report's own cercle
    or region (of any, if the report gives neither)."""
    units = _units()
    own = _own_units(admin1, admin2)
    towns = (
        units.all_towns if own is None else [p for code in own for p in units.towns.get(code, ())]
    )
    point = (latitude, longitude)
    return any(_km(point, town) <= MAIN_TOWN_KM for town in towns)
