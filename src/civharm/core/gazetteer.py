"""Country-pack gazetteer: place names -> localities/cercles/regions, points -> admin units.

Reads only the files of a country pack (country_packs/<pack>/); never downloads anything,
never raises on odd place-name input, and never logs the text it is given.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely
from rapidfuzz import fuzz, process
from shapely.geometry import shape

from civharm.core.text import fold, fold_key

DEFAULT_PACK = "mali"
MAX_NAME_CHARS = 120  # longer input is cut: no place name is that long
MAX_FUZZY_KEY_CHARS = 60
MIN_FUZZY_KEY_CHARS = 3
HINT_DISAGREES_FACTOR = 0.6
CACHE_LIMIT = 200_000
POINT_CACHE_LIMIT = 65_536  # distinct points remembered by locate_many (about 10 MB)

_KIND_RANK = {"locality": 0, "admin2": 1, "admin1": 2}
_MATCH_RANK = {"name": 0, "alternate": 1, "fuzzy": 2}
# Words around a name that say which kind of unit is meant ("cercle de Djenné").
_QUALIFIERS = re.compile(
    r"^(?:(?P<pre>cercle|region|district|commune rurale|commune urbaine|commune|ville|village)"
    r"(?: de| du| des| d)? )?(?P<core>.*?)"
    r"(?: (?P<post>cercle|region|district|commune|ville|village))?$"
)
_QUALIFIER_KIND = {"cercle": "admin2", "region": "admin1", "district": "admin1"}
_PCODE = re.compile(r"^[A-Z]{2}\d{2}(?:\d{2}){0,2}$")
_NOT_CACHED = object()


class GazetteerError(Exception):
    """A country pack is missing or its files are inconsistent."""


@dataclass(frozen=True, slots=True)
class AdminUnits:
    admin1_pcode: str
    admin1_name: str
    admin2_pcode: str | None
    admin2_name: str | None
    admin3_pcode: str | None = None
    admin3_name: str | None = None


@dataclass(frozen=True, slots=True)
class GeocodeMatch:
    kind: str  # "locality" | "admin2" | "admin1"
    id: str  # locality id or P-code
    name: str  # canonical name
    latitude: float | None
    longitude: float | None
    units: AdminUnits
    confidence: float  # 0..1
    matched_on: str  # "name" | "alternate" | "fuzzy"


@dataclass(frozen=True, slots=True)
class _Place:
    """Something a name can point to, with what hints it agrees with."""

    kind: str
    id: str
    name: str
    latitude: float | None
    longitude: float | None
    units: AdminUnits
    regions: frozenset[str]  # current and pre-2016 admin1 P-codes
    population: int


def _read_csv(pack: str, filename: str) -> list[dict[str, str]]:
    path = resources.files("civharm.country_packs").joinpath(pack, filename)
    if not path.is_file():
        raise GazetteerError(f"country pack {pack!r} has no {filename}")
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _read_text(pack: str, filename: str) -> str:
    path = resources.files("civharm.country_packs").joinpath(pack, filename)
    if not path.is_file():
        raise GazetteerError(f"country pack {pack!r} has no {filename}")
    return path.read_text(encoding="utf-8")


def _split_names(value: str) -> list[str]:
    return [part for part in (value or "").split("|") if part.strip()]


def parse_place_query(text: str) -> tuple[str, str | None]:
    """Fold a name and drop qualifiers: 'Cercle de Djenné' -> ('djenne', 'admin2')."""
    folded = fold(text[:MAX_NAME_CHARS])
    match = _QUALIFIERS.match(folded)
    if match is None or not match.group("core"):
        return fold_key(folded), None
    qualifier = match.group("pre") or match.group("post")
    return match.group("core").replace(" ", ""), _QUALIFIER_KIND.get(qualifier or "")


class _NameIndex:
    """Folded name -> places, with rapidfuzz search over the keys."""

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[_Place, str]]] = {}
        self._keys: list[str] = []

    def add(self, name: str, place: _Place, matched_on: str) -> None:
        key = fold_key(name)
        if not key:
            return
        entries = self._by_key.setdefault(key, [])
        if not entries:
            self._keys.append(key)
        if all(existing is not place for existing, _ in entries):
            entries.append((place, matched_on))

    def exact(self, key: str) -> list[tuple[_Place, str, float]]:
        return [(place, how, 1.0) for place, how in self._by_key.get(key, [])]

    def fuzzy(self, key: str, threshold: float) -> list[tuple[_Place, str, float]]:
        if not MIN_FUZZY_KEY_CHARS <= len(key) <= MAX_FUZZY_KEY_CHARS:
            return []
        found = process.extract(
            key, self._keys, scorer=fuzz.ratio, score_cutoff=threshold * 100, limit=8
        )
        return [
            (place, "fuzzy", score / 100)
            for choice, score, _ in found
            for place, _how in self._by_key[choice]
        ]


class Gazetteer:
    """Names and points of one country pack.

    `locate` reports the *current* layout for admin1 (points in the Ménaka cercle
    polygon -> Ménaka region ML10) and the cercles of the OCHA polygons for admin2.
    Taoudénit (ML11) has no polygon: points there resolve to Tombouctou (ML06).
    """

    def __init__(self, pack: str) -> None:
        self.pack = pack
        self._admin1 = {row["pcode"]: row for row in _read_csv(pack, "admin1.csv")}
        self._admin2 = {row["pcode"]: row for row in _read_csv(pack, "admin2.csv")}
        self._iso = {row["iso3166_2"].upper(): pcode for pcode, row in self._admin1.items()}
        self._places: dict[tuple[str, str], _Place] = {}
        self._names = _NameIndex()
        self._admin_names = {1: _NameIndex(), 2: _NameIndex()}
        self._geocode_cache: dict[tuple, GeocodeMatch | None] = {}
        self._admin_cache: dict[tuple[str, int], tuple[str, str] | None] = {}
        self._point_cache: dict[tuple[float, float], AdminUnits | None] = {}
        self._index_admin_units()
        self._index_localities(_read_csv(pack, "localities.csv"))
        self._index_aliases(_read_csv(pack, "aliases.csv"))
        self._load_polygons()

    @classmethod
    def load(cls, pack: str = DEFAULT_PACK) -> Gazetteer:
        """The gazetteer of a pack, built once per process."""
        return _load_cached(pack)

    # -- building -----------------------------------------------------------------

    def _admin1_units(self, pcode: str) -> AdminUnits:
        return AdminUnits(pcode, self._admin1[pcode]["name"], None, None)

    def _admin2_units(self, pcode: str) -> AdminUnits:
        row = self._admin2[pcode]
        admin1 = row["admin1_pcode"]
        return AdminUnits(admin1, self._admin1[admin1]["name"], pcode, row["name"])

    def _add_place(self, place: _Place, names: Iterable[tuple[str, str]]) -> None:
        self._places[(place.kind, place.id)] = place
        for name, how in names:
            self._names.add(name, place, how)

    def _index_admin_units(self) -> None:
        for pcode, row in self._admin1.items():
            regions = frozenset({pcode})
            place = _Place(
                "admin1", pcode, row["name"], None, None, self._admin1_units(pcode), regions, 0
            )
            names = [(row["name"], "name"), (row["ascii_name"], "name")]
            names += [(alt, "alternate") for alt in _split_names(row["alternate_names"])]
            self._add_place(place, names)
            for name, _how in [*names, (pcode, ""), (row["iso3166_2"], "")]:
                self._admin_names[1].add(name, place, "name")
        for pcode, row in self._admin2.items():
            regions = frozenset({row["admin1_pcode"], row["pre2016_admin1_pcode"]})
            place = _Place(
                "admin2", pcode, row["name"], None, None, self._admin2_units(pcode), regions, 0
            )
            names = [(row["name"], "name"), (row["ascii_name"], "name")]
            names += [(alt, "alternate") for alt in _split_names(row["alternate_names"])]
            self._add_place(place, names)
            for name, _how in [*names, (pcode, "")]:
                self._admin_names[2].add(name, place, "name")

    def _index_localities(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            cercle = row["admin2_pcode"] or None
            pre2016 = self._admin2[cercle]["pre2016_admin1_pcode"] if cercle else ""
            units = AdminUnits(
                row["admin1_pcode"],
                row["admin1_name"],
                cercle,
                row["admin2_name"] or None,
                row["admin3_pcode"] or None,
                row["admin3_name"] or None,
            )
            place = _Place(
                "locality",
                row["id"],
                row["name"],
                float(row["latitude"]),
                float(row["longitude"]),
                units,
                frozenset(filter(None, {row["admin1_pcode"], pre2016})),
                int(row["population"] or 0),
            )
            names = [(row["name"], "name"), (row["ascii_name"], "name")]
            names += [(alt, "alternate") for alt in _split_names(row["alternate_names"])]
            self._add_place(place, names)

    def _index_aliases(self, rows: list[dict[str, str]]) -> None:
        for row in rows:
            place = self._places.get((row["target_kind"], row["target_id"]))
            if place is None:
                raise GazetteerError(
                    f"aliases.csv: {row['target_kind']} {row['target_id']} is not in pack"
                )
            self._names.add(row["alias"], place, "alternate")
            level = {"admin1": 1, "admin2": 2}.get(place.kind)
            if level:
                self._admin_names[level].add(row["alias"], place, "name")

    def _load_polygons(self) -> None:
        self._geojson_text = {
            1: _read_text(self.pack, "admin1.geojson"),
            2: _read_text(self.pack, "admin2.geojson"),
        }
        features = json.loads(self._geojson_text[2])["features"]
        self._cercle_units = [self._admin2_units(f["properties"]["adm2_pcode"]) for f in features]
        geometries = [shape(f["geometry"]) for f in features]
        shapely.prepare(geometries)
        self._tree = shapely.STRtree(geometries)
        self._polygons_lock = threading.Lock()

    # -- names --------------------------------------------------------------------

    def geocode(
        self,
        name: str,
        *,
        admin1: str | None = None,
        admin2: str | None = None,
        threshold: float = 0.85,
    ) -> GeocodeMatch | None:
        """Best locality for a place name, else cercle, else region; None if nothing fits.

        Accent-, case- and punctuation-insensitive; falls back to fuzzy matching
        (rapidfuzz ratio >= threshold). Hints (region/cercle, as name, P-code or ISO code)
        pick among places of the same name; a match that disagrees with them keeps a
        lower confidence. Results are cached per (name, hints, threshold).
        """
        key = (name, admin1, admin2, threshold)
        try:
            return self._geocode_cache[key]
        except KeyError:
            pass
        except TypeError:  # unhashable input
            return None
        result = self._geocode(name, admin1, admin2, threshold)
        if len(self._geocode_cache) >= CACHE_LIMIT:
            self._geocode_cache.clear()
        self._geocode_cache[key] = result
        return result

    def _geocode(
        self, name: object, admin1: object, admin2: object, threshold: float
    ) -> GeocodeMatch | None:
        if not isinstance(name, str):
            return None
        key, wanted_kind = parse_place_query(name)
        if not key:
            return None
        candidates = self._names.exact(key) or self._names.fuzzy(key, threshold)
        if wanted_kind:
            candidates = [c for c in candidates if c[0].kind == wanted_kind] or candidates
        if not candidates:
            return None
        regions = self._hint_regions(admin1)
        cercle = self.find_admin(admin2, 2) if isinstance(admin2, str) else None
        scored = [
            (self._agrees(place, regions, cercle), score, place, how)
            for place, how, score in candidates
        ]
        scored.sort(
            key=lambda s: (
                not s[0],
                -s[1],
                _KIND_RANK[s[2].kind],
                _MATCH_RANK[s[3]],
                -s[2].population,
            )
        )
        agrees, score, place, how = scored[0]
        confidence = score if agrees else score * HINT_DISAGREES_FACTOR
        return GeocodeMatch(
            place.kind,
            place.id,
            place.name,
            place.latitude,
            place.longitude,
            place.units,
            round(confidence, 3),
            how,
        )

    def _hint_regions(self, admin1: object) -> frozenset[str] | None:
        """P-codes a region hint accepts (a region without polygon accepts its parent)."""
        if not isinstance(admin1, str):
            return None
        found = self.find_admin(admin1, 1)
        if found is None:
            return None
        pcode = found[0]
        row = self._admin1[pcode]
        if row.get("has_polygon") == "no" and row.get("pre2016_pcode"):
            return frozenset({pcode, row["pre2016_pcode"]})
        return frozenset({pcode})

    @staticmethod
    def _agrees(
        place: _Place, regions: frozenset[str] | None, cercle: tuple[str, str] | None
    ) -> bool:
        if regions is not None and not (place.regions & regions):
            return False
        return cercle is None or place.units.admin2_pcode == cercle[0]

    def find_admin(self, name: str, level: int) -> tuple[str, str] | None:
        """(P-code, canonical name) of a region (level 1) or cercle (level 2).

        Accepts any spelling, the P-code, or (level 1) the ISO 3166-2 code.
        """
        if level not in self._admin_names:
            raise ValueError(f"admin level must be 1 or 2, not {level!r}")
        if not isinstance(name, str):
            return None
        key = (name, level)
        if key not in self._admin_cache:
            if len(self._admin_cache) >= CACHE_LIMIT:
                self._admin_cache.clear()
            self._admin_cache[key] = self._find_admin(name, level)
        return self._admin_cache[key]

    def _find_admin(self, name: str, level: int) -> tuple[str, str] | None:
        code = name.strip().upper()
        table = self._admin1 if level == 1 else self._admin2
        if _PCODE.match(code) and code in table:
            return code, table[code]["name"]
        if level == 1 and code in self._iso:
            pcode = self._iso[code]
            return pcode, self._admin1[pcode]["name"]
        key, _kind = parse_place_query(name)
        index = self._admin_names[level]
        found = index.exact(key) or index.fuzzy(key, 0.85)
        if not found:
            return None
        place = max(found, key=lambda c: c[2])[0]
        return place.id, place.name

    # -- points -------------------------------------------------------------------

    def locate(self, latitude: float, longitude: float) -> AdminUnits | None:
        """Admin units (current layout, see class docstring) of a point; None outside."""
        return self.locate_many([latitude], [longitude])[0]

    def locate_many(
        self, latitudes: Sequence[float], longitudes: Sequence[float]
    ) -> list[AdminUnits | None]:
        """Vectorised `locate`; NaN or out-of-range coordinates give None.

        Answers are remembered per exact point (sources repeat a village's coordinates on
        every event there); only points not seen before reach the polygons.
        """
        lat = np.asarray(latitudes, dtype=float)
        lon = np.asarray(longitudes, dtype=float)
        if lat.shape != lon.shape:
            raise ValueError("latitudes and longitudes differ in length")
        result: list[AdminUnits | None] = [None] * len(lat)
        cache = self._point_cache
        unseen: dict[tuple[float, float], list[int]] = {}
        for i, point in enumerate(zip(lat.tolist(), lon.tolist(), strict=True)):
            found = cache.get(point, _NOT_CACHED)
            if found is _NOT_CACHED:
                unseen.setdefault(point, []).append(i)
            else:
                result[i] = found  # type: ignore[call-overload]
        if unseen:
            self._locate_unseen(unseen, result)
        return result

    def _locate_unseen(
        self, unseen: dict[tuple[float, float], list[int]], result: list[AdminUnits | None]
    ) -> None:
        points = list(unseen)
        found = self._locate_points(
            np.fromiter((p[0] for p in points), float, len(points)),
            np.fromiter((p[1] for p in points), float, len(points)),
        )
        cache = self._point_cache
        if len(cache) + len(points) > POINT_CACHE_LIMIT:
            cache.clear()
        for point, units in zip(points, found, strict=True):
            if point[0] == point[0] and point[1] == point[1]:  # NaN never equals itself
                cache[point] = units
            for i in unseen[point]:
                result[i] = units

    def _locate_points(self, lat: np.ndarray, lon: np.ndarray) -> list[AdminUnits | None]:
        result: list[AdminUnits | None] = [None] * len(lat)
        points = shapely.points(lon, lat)
        # Candidates by bounding box, then the exact test against the prepared cercle polygons
        # (indexed point-in-polygon): same pairs, same order as query(predicate="intersects").
        # A prepared polygon builds its index on first use and is not safe to share between
        # threads (two imports at once in a web server): one thread tests points at a time.
        with self._polygons_lock:
            point_index, cercle_index = self._tree.query(points)
            inside = shapely.intersects(
                self._tree.geometries.take(cercle_index), points.take(point_index)
            )
        point_index, cercle_index = point_index[inside], cercle_index[inside]
        # Reversed so that a point on a shared border keeps the first cercle found.
        for i, j in zip(point_index[::-1].tolist(), cercle_index[::-1].tolist(), strict=True):
            result[i] = self._cercle_units[j]
        return result

    def in_country(self, latitude: float, longitude: float) -> bool:
        """True when the point falls in one of the pack's cercle polygons."""
        return self.locate(latitude, longitude) is not None

    # -- listings -----------------------------------------------------------------

    def admin1_units(self) -> list[tuple[str, str]]:
        """(P-code, name) of every region, including those without polygons (Taoudénit)."""
        return [(pcode, row["name"]) for pcode, row in self._admin1.items()]

    def admin2_units(self, admin1_pcode: str | None = None) -> list[tuple[str, str, str]]:
        """(P-code, name, current admin1 P-code) of the cercles, optionally of one region."""
        region = self.find_admin(admin1_pcode, 1) if admin1_pcode else None
        if admin1_pcode and region is None:
            return []
        return [
            (pcode, row["name"], row["admin1_pcode"])
            for pcode, row in self._admin2.items()
            if region is None or row["admin1_pcode"] == region[0]
        ]

    def boundaries_geojson(self, level: int) -> dict:
        """A fresh GeoJSON FeatureCollection of regions (1) or cercles (2)."""
        if level not in self._geojson_text:
            raise ValueError(f"boundary level must be 1 or 2, not {level!r}")
        return json.loads(self._geojson_text[level])


@cache
def _load_cached(pack: str) -> Gazetteer:
    return Gazetteer(pack)
