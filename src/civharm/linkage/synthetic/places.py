"""Regions and cercles of the country pack, and made-up villages inside the cercles.

For tests and benchmarks only: every person is generated, none is real."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np
import shapely
from shapely.geometry import shape

from civharm.linkage.synthetic.arrays import _strip_accents
from civharm.linkage.synthetic.tables import (
    _CERCLE_WEIGHTS,
    _MIX,
    _MIX_GROUPS,
    _VILLAGE_SYLLABLES,
    COMMUNITIES,
)
from civharm.linkage.units import pack_rows, pack_text

# ---------------------------------------------------------------------------------------------
# Places: regions and cercles of the country pack, and made-up villages inside the cercles.


@dataclass(frozen=True)
class _Admin:
    region_pcode: np.ndarray
    region_name: list[str]
    cercle_pcode: np.ndarray
    cercle_name: list[str]
    cercle_region: np.ndarray  # index into region arrays
    cercle_old_region: np.ndarray  # pre-2016 region (Ménaka under Gao)
    cercle_point: np.ndarray  # (n, 2) lat, lon of the chief town
    cercle_weight: np.ndarray
    cercle_mix: np.ndarray  # (n, communities)
    geometries: list
    localities: list[dict[str, str]]


def _cercle_mix(pcode: str, region: str) -> tuple[float, ...]:
    key = _MIX_GROUPS.get(pcode, pcode)
    return _MIX.get(key) or _MIX.get(region) or _MIX["south"]


@cache
def _admin() -> _Admin:
    regions = pack_rows("admin1.csv")
    region_index = {row["pcode"]: i for i, row in enumerate(regions)}
    features = json.loads(pack_text("admin2.geojson"))["features"]
    geometry = {f["properties"]["adm2_pcode"]: shape(f["geometry"]) for f in features}
    cercles = [row for row in pack_rows("admin2.csv") if row["pcode"] in geometry]
    localities = pack_rows("localities.csv")
    towns = {
        row["admin2_pcode"]: (float(row["latitude"]), float(row["longitude"]))
        for row in localities
        if row["feature"] in {"PPLA", "PPLA2", "PPLC"}
    }
    points = []
    for row in cercles:
        inner = geometry[row["pcode"]].representative_point()
        points.append(towns.get(row["pcode"], (inner.y, inner.x)))
    mix = np.array([_cercle_mix(r["pcode"], r["admin1_pcode"]) for r in cercles], dtype=float)
    return _Admin(
        region_pcode=np.array([row["pcode"] for row in regions], dtype=object),
        region_name=[row["name"] for row in regions],
        cercle_pcode=np.array([row["pcode"] for row in cercles], dtype=object),
        cercle_name=[row["name"] for row in cercles],
        cercle_region=np.array([region_index[row["admin1_pcode"]] for row in cercles]),
        cercle_old_region=np.array([region_index[row["pre2016_admin1_pcode"]] for row in cercles]),
        cercle_point=np.array(points),
        cercle_weight=np.array([_CERCLE_WEIGHTS.get(row["pcode"], 0.3) for row in cercles]),
        cercle_mix=mix / mix.sum(axis=1, keepdims=True),
        geometries=[geometry[row["pcode"]] for row in cercles],
        localities=localities,
    )


def _place_variants(name: str, kind: str = "village") -> list[str]:
    """Spellings of a place name lists use: accents, ou/u, dj/j, c/k, ss/s, hyphens, qualifiers."""
    plain = _strip_accents(name)
    variants = [name, plain]
    rules = [
        ("ou", "u"),
        ("Dj", "J"),
        ("dj", "j"),
        ("Ou", "W"),
        ("ss", "s"),
        ("c", "k"),
        ("gu", "g"),
        ("é", "e"),
        ("y", "i"),
        ("-", " "),
        (" ", "-"),
        ("h", ""),
    ]
    for old, new in rules:
        if old in plain and len(variants) < 6:
            variants.append(plain.replace(old, new, 1))
    for suffix in (" Peul", " Dogon"):
        if name.endswith(suffix):
            variants += [name[: -len(suffix)], name + "h" if suffix == " Peul" else name]
    if kind == "cercle":
        variants += [f"Cercle de {name}", f"cercle de {plain}"]
    if kind == "region":
        variants += [f"Région de {name}", f"Region {plain}"]
    return list(dict.fromkeys(v for v in variants if v.strip()))


def _latin(names: list[str]) -> list[str]:
    """Names a Malian list could write: Latin letters only (no Cyrillic, no ɔ/ɛ)."""
    return [n for n in names if n and all(ord(c) < 0x250 for c in n)]


def _village_name(community: str, rng: np.random.Generator) -> str:
    roots, ends = (text.split() for text in _VILLAGE_SYLLABLES[community])
    root, end = roots[rng.integers(len(roots))], ends[rng.integers(len(ends))]
    if "|" in end:  # a second word: "Wouro Ardo"
        return f"{root} {end.strip('|')}"
    if root.endswith("-"):
        return root + end.capitalize()
    return root + end


def _points_in(geometry: object, n: int, rng: np.random.Generator) -> np.ndarray:
    """n (lat, lon) points drawn uniformly inside a polygon."""
    west, south, east, north = geometry.bounds  # type: ignore[attr-defined]
    found: list[np.ndarray] = []
    while sum(len(f) for f in found) < n:
        lon = rng.uniform(west, east, 4 * n + 8)
        lat = rng.uniform(south, north, 4 * n + 8)
        inside = shapely.contains_xy(geometry, lon, lat)
        found.append(np.column_stack([lat[inside], lon[inside]]))
    return np.concatenate(found)[:n]


@dataclass(frozen=True)
class _Places:
    admin: _Admin
    village_cercle: np.ndarray
    village_point: np.ndarray  # (n, 2)
    village_community: np.ndarray
    cercle_first_village: np.ndarray  # villages are sorted by cercle
    cercle_villages: np.ndarray
    # names of villages, then cercles, then regions, each with its spellings
    name_offsets: np.ndarray
    name_counts: np.ndarray
    name_texts: np.ndarray


def _cercle_villages(cercle: int, n: int, admin: _Admin, rng: np.random.Generator) -> list[tuple]:
    """(name, lat, lon, community, spellings) of the villages of one cercle."""
    pcode = admin.cercle_pcode[cercle]
    mix = admin.cercle_mix[cercle]
    out = [
        (
            r["name"],
            float(r["latitude"]),
            float(r["longitude"]),
            int(rng.choice(len(COMMUNITIES), p=mix)),
            _place_variants(r["name"]) + _latin(r["alternate_names"].split("|"))[:3],
        )
        for r in admin.localities
        if r["admin2_pcode"] == pcode
    ]
    points = _points_in(admin.geometries[cercle], n, rng)
    twins = mix[0] >= 0.2 and mix[2] >= 0.2  # Fulani and Dogon hamlets of one village
    for lat, lon in points:
        community = int(rng.choice(len(COMMUNITIES), p=mix))
        name = _village_name(COMMUNITIES[community], rng)
        if twins and rng.random() < 0.12:
            for suffix, member in ((" Peul", 0), (" Dogon", 2)):
                jitter = rng.normal(0, 0.01, 2)
                out.append(
                    (
                        name + suffix,
                        lat + jitter[0],
                        lon + jitter[1],
                        member,
                        _place_variants(name + suffix),
                    )
                )
            continue
        out.append((name, lat, lon, community, _place_variants(name)))
    return out


def _places(n_villages: int, rng: np.random.Generator) -> _Places:
    admin = _admin()
    share = np.sqrt(admin.cercle_weight) / np.sqrt(admin.cercle_weight).sum()
    rows, cercle_of = [], []
    for cercle, fraction in enumerate(share):
        villages = _cercle_villages(cercle, max(4, round(n_villages * fraction)), admin, rng)
        rows += villages
        cercle_of += [cercle] * len(villages)
    spellings = [r[4] for r in rows]
    spellings += [_place_variants(name, "cercle") for name in admin.cercle_name]
    spellings += [_place_variants(name, "region") for name in admin.region_name]
    counts = np.array([len(s) for s in spellings])
    cercle_of_arr = np.array(cercle_of)
    per_cercle = np.bincount(cercle_of_arr, minlength=len(admin.cercle_pcode))
    return _Places(
        admin=admin,
        village_cercle=cercle_of_arr,
        village_point=np.array([(r[1], r[2]) for r in rows]),
        village_community=np.array([r[3] for r in rows]),
        cercle_first_village=np.concatenate([[0], np.cumsum(per_cercle)[:-1]]),
        cercle_villages=per_cercle,
        name_offsets=np.concatenate([[0], np.cumsum(counts)[:-1]]),
        name_counts=counts,
        name_texts=np.array([s for group in spellings for s in group], dtype=object),
    )


def _place_text(
    places: _Places, place: np.ndarray, p_variant: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The canonical name of each place, or (with p_variant) another of its spellings."""
    n = len(place)
    other = (rng.random(n) * places.name_counts[place]).astype(np.int64)
    pick = np.where(rng.random(n) < p_variant, other, 0)
    return places.name_texts[places.name_offsets[place] + pick]
