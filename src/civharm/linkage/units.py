"""What a report's place really says, given the country pack's regions, cercles and main towns.

A source that knows only the cercle writes the cercle's name ("Cercle de Bankass", "BANKAS")
and gives the main town's point, or lets a geocoder put it there. Two such reports of two
events of one cercle would then "meet" within metres and on the place name, and the model
would count the cercle three times (distance, name, admin units). So a place name that only
names the report's own cercle or region is no place name, and a point at (or near) a main
town of the report's own cercle or region is no point: the admin units weigh the cercle.

The price: an event that did happen in a main town (Gao, Ménaka, Bankass) loses its point
and its name too, and its reports are matched on the cercle, the date and the rest. A point
on another locality of the pack (a village next to the town) is kept.

Pure functions over the pack's files; they never log the text they are given.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from civharm.core.gazetteer import DEFAULT_PACK, parse_place_query
from civharm.core.text import fold
from civharm.linkage.names import spelling_skeleton

# At these precisions a report's point is a unit's centre or main town, never the place.
COARSE_PRECISIONS = frozenset({"admin3", "admin2", "admin1", "country"})
# A point this close to a main town is taken for the town's (a source's or a geocoder's
# stand-in for "somewhere in the cercle"): sources' gazetteers place a town within a km or two.
MAIN_TOWN_KM = 2.0
# ... unless it is on another locality of the pack, within this distance (a village by a town).
OTHER_PLACE_KM = 0.1
_MAIN_TOWNS = {"PPLA": "admin1", "PPLC": "admin1", "PPLA2": "admin2"}
# Words of "Cercle", "Région de", "Commune rurale": qualifiers with no name are no place.
_QUALIFIER_WORDS = frozenset(
    {"cercle", "region", "district", "commune", "ville", "village", "rurale", "urbaine", "de",
     "du", "des", "d"}
)  # fmt: skip

Point = tuple[float, float]


@dataclass(frozen=True)
class _Units:
    named: dict[str, frozenset[str]]  # unit key -> P-codes of the regions and cercles so named
    towns: dict[str, tuple[Point, ...]]  # P-code -> its main towns' points
    all_towns: tuple[Point, ...]
    other_places: tuple[Point, ...]  # the pack's localities that are no unit's main town
    successors: dict[str, frozenset[str]]  # pre-2016 region -> regions made from it since


@lru_cache(maxsize=100_000)
def unit_key(name: str) -> str | None:
    """'Cercle de Djenné', 'Djene', 'DJENNE' -> 'jene': a name without its qualifiers, in the
    spelling skeleton names use (ou/u, dj/j, doubled letters); None for a bare qualifier or
    nothing. A name with no Latin letter keeps its folded form."""
    key, _kind = parse_place_query(name)
    if not key or set(fold(name).split()) <= _QUALIFIER_WORDS:
        return None
    return spelling_skeleton(key) or key


def pack_text(filename: str) -> str:
    """A file of the country pack linkage is built for, as text."""
    path = resources.files("civharm.country_packs").joinpath(DEFAULT_PACK, filename)
    return path.read_text(encoding="utf-8")


def pack_rows(filename: str) -> list[dict[str, str]]:
    """The rows of one of the country pack's CSV files."""
    return list(csv.DictReader(io.StringIO(pack_text(filename))))


def _names(row: dict[str, str]) -> list[str]:
    return [n for n in (row["name"], row["ascii_name"], *row["alternate_names"].split("|")) if n]


@cache
def _units() -> _Units:
    named: dict[str, set[str]] = defaultdict(set)
    successors: dict[str, set[str]] = defaultdict(set)
    for filename in ("admin1.csv", "admin2.csv"):
        for row in pack_rows(filename):
            for name in _names(row):
                if key := unit_key(name):
                    named[key].add(row["pcode"])
            if row.get("pre2016_pcode") and filename == "admin1.csv":
                successors[row["pre2016_pcode"]].add(row["pcode"])
    towns: dict[str, set[Point]] = defaultdict(set)
    others: list[Point] = []
    for row in pack_rows("localities.csv"):
        point = (float(row["latitude"]), float(row["longitude"]))
        level = _MAIN_TOWNS.get(row["feature"])
        homes = set()
        if level:
            homes = {row["admin2_pcode"]} | ({row["admin1_pcode"]} if level == "admin1" else set())
        # A locality that bears the name of a unit it lies in is that unit's town: Ké-Macina
        # (listed as a village) for Macina; Taoudenni, listed under Tombouctou, for the
        # Taoudénit region made from it in 2016.
        inside = {
            row["admin1_pcode"],
            row["admin2_pcode"],
            *successors.get(row["admin1_pcode"], ()),
        }
        for name in _names(row):
            homes |= named.get(unit_key(name) or "", frozenset()) & inside
        for code in homes:
            towns[code].add(point)
        if not homes:
            others.append(point)
    return _Units(
        named={key: frozenset(codes) for key, codes in named.items()},
        towns={code: tuple(sorted(points)) for code, points in towns.items()},
        all_towns=tuple(sorted({p for points in towns.values() for p in points})),
        other_places=tuple(others),
        successors={code: frozenset(new) for code, new in successors.items()},
    )


def _own_units(admin1: str | None, admin2: str | None) -> frozenset[str] | None:
    """The report's own units; when it gives only a pre-2016 region code, the regions made
    from it since (Ménaka from Gao); None when it gives neither (any unit may be meant)."""
    own = {code for code in (admin1, admin2) if code}
    if not own:
        return None
    if admin1 and not admin2:
        own |= _units().successors.get(admin1, frozenset())
    return frozenset(own)


def names_only_its_unit(name: object, admin1: str | None, admin2: str | None) -> bool:
    """True if the place name is blank, a bare qualifier, or the name of the report's own
    region or cercle (of any region or cercle if the report gives neither)."""
    if not isinstance(name, str) or not name.strip():
        return True
    key = unit_key(name)
    if key is None:
        return True
    named = _units().named.get(key)
    if named is None:
        return False
    own = _own_units(admin1, admin2)
    return own is None or not named.isdisjoint(own)


def _km(a: Point, b: Point) -> float:
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
    or region (of any, if the report gives neither), and not on another locality of the pack."""
    units = _units()
    own = _own_units(admin1, admin2)
    towns = units.all_towns if own is None else [p for c in own for p in units.towns.get(c, ())]
    point = (latitude, longitude)
    if not any(_within(point, town, MAIN_TOWN_KM) for town in towns):
        return False
    return not any(_within(point, place, OTHER_PLACE_KM) for place in units.other_places)


def _within(a: Point, b: Point, km: float) -> bool:
    # a degree of latitude is 111 km: most pairs are told apart without trigonometry
    return abs(a[0] - b[0]) * 111.0 <= km and _km(a, b) <= km
