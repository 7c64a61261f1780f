"""Tests of the Mali gazetteer: names, hints, fuzzy matching and point-in-polygon."""

from __future__ import annotations

import csv
import random
import time
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civharm.core.gazetteer import AdminUnits, Gazetteer
from civharm.core.text import fold

DATA = Path(__file__).parent / "data"
ACLED_NAME = "data/real/acled_mali_2017-01-01_2019-02-22_old_schema.csv"
# shared/ lies beside the repository (CI) or at /work/shared (development); tests only.
ACLED_CANDIDATES = [Path(__file__).resolve().parents[3] / "shared" / ACLED_NAME]
ACLED_CANDIDATES.append(Path("/work/shared") / ACLED_NAME)
ACLED_FILE = next((p for p in ACLED_CANDIDATES if p.exists()), ACLED_CANDIDATES[0])
PACK = resources.files("civharm.country_packs").joinpath("mali")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load("mali")


def read_pack_csv(name: str) -> list[dict[str, str]]:
    with PACK.joinpath(name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def spelling_rows() -> list[dict[str, str]]:
    with (DATA / "spellings.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("row", spelling_rows(), ids=lambda row: row["spelling"])
def test_known_spellings_resolve_to_expected_place(gazetteer: Gazetteer, row: dict) -> None:
    match = gazetteer.geocode(row["spelling"], admin1=row["admin1_hint"] or None)
    assert match is not None
    assert (match.kind, match.id) == (row["expected_kind"], row["expected_id"])
    assert match.confidence == 1.0
    if row["expected_admin2_pcode"]:
        assert match.units.admin2_pcode == row["expected_admin2_pcode"]


def test_misspelling_above_threshold_matches_with_lower_confidence(gazetteer: Gazetteer) -> None:
    match = gazetteer.geocode("Bandiagarra")
    assert match is not None and match.id == "geonames:2460489"
    assert match.matched_on == "fuzzy"
    assert 0.85 <= match.confidence < 1.0


def test_strict_threshold_rejects_the_same_misspelling(gazetteer: Gazetteer) -> None:
    assert gazetteer.geocode("Bandiagarra", threshold=0.99) is None


@pytest.mark.parametrize("nonsense", ["Xqwzzt", "Paris", "zzzzzzzz", "Ouagadougou"])
def test_nonsense_returns_none(gazetteer: Gazetteer, nonsense: str) -> None:
    assert gazetteer.geocode(nonsense) is None


def test_region_hint_picks_between_places_of_the_same_name(gazetteer: Gazetteer) -> None:
    north = gazetteer.geocode("Bamba", admin1="Gao")
    south = gazetteer.geocode("Bamba", admin1="ML03")
    assert north is not None and south is not None
    assert north.units.admin2_name == "Bourem"
    assert south.units.admin1_pcode == "ML03"


def test_cercle_hint_picks_between_places_of_the_same_name(gazetteer: Gazetteer) -> None:
    match = gazetteer.geocode("bamba", admin2="Bourem")
    assert match is not None and match.id == "manual:bamba-bourem"


def test_disagreeing_hint_lowers_confidence(gazetteer: Gazetteer) -> None:
    match = gazetteer.geocode("Koro", admin1="Kidal")
    assert match is not None and match.units.admin1_name == "Mopti"
    assert match.confidence < 1.0


def test_old_layout_region_hint_still_agrees_for_menaka(gazetteer: Gazetteer) -> None:
    match = gazetteer.geocode("Ménaka", admin1="Gao")
    assert match is not None and match.confidence == 1.0
    assert match.units.admin1_pcode == "ML10"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Cercle de Bankass", ("bankass", "admin2")),
        ("Bankass cercle", ("bankass", "admin2")),
        ("Région de Mopti", ("mopti", "admin1")),
        ("Commune rurale de Bla", ("bla", None)),  # not a commune named "rurale de Bla"
        ("Commune urbaine de Kati", ("kati", None)),
        ("Kati Ville", ("kati", None)),
        ("Ogossagou village", ("ogossagou", None)),
        ("Ké-Macina", ("kemacina", None)),
    ],
)
def test_qualifiers_around_a_name_are_read_and_dropped(text: str, parsed: tuple) -> None:
    from civharm.core.gazetteer import parse_place_query

    assert parse_place_query(text) == parsed


def test_cercle_qualifier_prefers_the_cercle_over_the_town(gazetteer: Gazetteer) -> None:
    match = gazetteer.geocode("cercle de Bankass")
    assert match is not None and (match.kind, match.id) == ("admin2", "ML0502")


@pytest.mark.parametrize(
    ("text", "level", "expected"),
    [
        ("Ménaka", 1, "ML10"),
        ("ML-9", 1, "ML10"),
        ("ML-10", 1, "ML11"),
        ("Taoudenit", 1, "ML11"),
        ("ML-BKO", 1, "ML09"),
        ("segou", 1, "ML04"),
        ("Timbuktu", 1, "ML06"),
        ("ml0704", 2, "ML0704"),
        ("Menaka", 2, "ML0704"),
        ("Ké-Macina", 2, "ML0403"),
        ("Nioro du Sahel", 2, "ML0106"),
        ("Gourma Rharous", 2, "ML0603"),
    ],
)
def test_find_admin_accepts_any_spelling_or_code(
    gazetteer: Gazetteer, text: str, level: int, expected: str
) -> None:
    found = gazetteer.find_admin(text, level)
    assert found is not None and found[0] == expected


def test_menaka_and_taoudenit_are_regions(gazetteer: Gazetteer) -> None:
    regions = dict(gazetteer.admin1_units())
    assert regions["ML10"] == "Ménaka" and regions["ML11"] == "Taoudénit"
    assert len(regions) == 11


def test_fifty_cercles_with_current_regions(gazetteer: Gazetteer) -> None:
    cercles = gazetteer.admin2_units()
    assert len(cercles) == 50
    assert gazetteer.admin2_units("Ménaka") == [("ML0704", "Ménaka", "ML10")]
    assert len(gazetteer.admin2_units("ML07")) == 3


def test_point_in_menaka_cercle_reports_current_layout(gazetteer: Gazetteer) -> None:
    assert gazetteer.locate(15.92, 2.40) == AdminUnits("ML10", "Ménaka", "ML0704", "Ménaka")


def test_cercle_seats_land_in_their_own_cercle(gazetteer: Gazetteer) -> None:
    localities = {fold(row["name"]): row for row in read_pack_csv("localities.csv")}
    seat_names = {"Macina": "Ké-Macina", "Tombouctou": "Tombouctou"}
    missing = []
    for pcode, name, _admin1 in gazetteer.admin2_units():
        row = localities.get(fold(seat_names.get(name, name)))
        if row is None:
            missing.append(name)
            continue
        units = gazetteer.locate(float(row["latitude"]), float(row["longitude"]))
        assert units is not None and units.admin2_pcode == pcode, name
    assert missing == []


@pytest.mark.parametrize(
    ("city", "lat", "lon"),
    [
        ("Niamey", 13.5116, 2.1254),
        ("Ouagadougou", 12.3714, -1.5197),
        ("Nouakchott", 18.0735, -15.9582),
        ("Dakar", 14.7167, -17.4677),
        ("Conakry", 9.6412, -13.5784),
        ("Abidjan", 5.3600, -4.0083),
        ("Tamanrasset", 22.7850, 5.5228),
    ],
)
def test_points_outside_mali_are_none(gazetteer: Gazetteer, city: str, lat: float, lon: float):
    assert gazetteer.locate(lat, lon) is None
    assert not gazetteer.in_country(lat, lon)


def test_in_country_for_bamako(gazetteer: Gazetteer) -> None:
    assert gazetteer.in_country(12.6392, -8.0029)


def test_locate_many_handles_nan_and_empty(gazetteer: Gazetteer) -> None:
    assert gazetteer.locate_many([], []) == []
    result = gazetteer.locate_many([float("nan"), 16.27], [0.0, -0.04])
    assert result[0] is None and result[1] is not None and result[1].admin2_pcode == "ML0703"


def test_every_locality_lands_in_the_cercle_the_file_says(gazetteer: Gazetteer) -> None:
    rows = read_pack_csv("localities.csv")
    located = gazetteer.locate_many(
        [float(r["latitude"]) for r in rows], [float(r["longitude"]) for r in rows]
    )
    for row, units in zip(rows, located, strict=True):
        assert units is not None, row["id"]
        assert (units.admin1_pcode, units.admin2_pcode) == (
            row["admin1_pcode"],
            row["admin2_pcode"],
        ), row["id"]


def test_localities_file_has_the_agreed_columns() -> None:
    with PACK.joinpath("localities.csv").open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    assert header == [
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


def test_boundaries_are_fresh_feature_collections(gazetteer: Gazetteer) -> None:
    regions = gazetteer.boundaries_geojson(1)
    cercles = gazetteer.boundaries_geojson(2)
    assert len(cercles["features"]) == 50
    assert {f["properties"]["adm1_pcode"] for f in regions["features"]} >= {"ML07", "ML10"}
    regions["features"].clear()
    assert gazetteer.boundaries_geojson(1)["features"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=300),
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.text(max_size=20)),
)
def test_geocode_never_raises(name: str, admin1: str | None, admin2: str | None) -> None:
    gazetteer = Gazetteer.load("mali")
    match = gazetteer.geocode(name, admin1=admin1, admin2=admin2)
    assert match is None or 0.0 <= match.confidence <= 1.0


@pytest.mark.parametrize("odd", ["", "   ", "0123456789", "🙂🙂🙂", "x" * 10_000, "\x00", "-"])
def test_geocode_odd_input_returns_none(gazetteer: Gazetteer, odd: str) -> None:
    assert gazetteer.geocode(odd) is None


def test_locate_many_is_fast_on_100000_points(gazetteer: Gazetteer) -> None:
    rng = random.Random(7)
    lats = [rng.uniform(10.1, 25.0) for _ in range(100_000)]
    lons = [rng.uniform(-12.3, 4.3) for _ in range(100_000)]
    start = time.perf_counter()
    located = gazetteer.locate_many(lats, lons)
    elapsed = time.perf_counter() - start
    print(f"locate_many 100,000 points: {elapsed:.3f} s, {sum(u is not None for u in located)} in")
    assert elapsed < 2.0


def _region_agrees(acled_admin1: str, acled_admin2: str, units: AdminUnits | None) -> bool:
    if units is None:
        return False
    ours = {fold(units.admin1_name)}
    if units.admin1_pcode == "ML10":  # Ménaka: ACLED's old layout says Gao
        ours.add("gao")
    return fold(acled_admin1) in ours


@pytest.mark.skipif(not ACLED_FILE.exists(), reason="real ACLED file not available")
def test_acled_events_fall_in_the_region_acled_names(gazetteer: Gazetteer) -> None:
    with ACLED_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    located = gazetteer.locate_many(
        [float(r["latitude"]) for r in rows], [float(r["longitude"]) for r in rows]
    )
    agree = sum(
        _region_agrees(r["admin1"], r["admin2"], u) for r, u in zip(rows, located, strict=True)
    )
    share = agree / len(rows)
    print(f"ACLED events in the region ACLED names: {agree}/{len(rows)} = {share:.2%}")
    assert share >= 0.98


def test_reference_localities_land_in_the_cercle_their_reference_names(
    gazetteer: Gazetteer,
) -> None:
    with PACK.joinpath("sources", "reference_localities.csv").open(encoding="utf-8") as handle:
        references = list(csv.DictReader(handle))
    for ref in references:
        units = gazetteer.locate(float(ref["latitude"]), float(ref["longitude"]))
        assert units is not None, ref["id"]
        assert fold(units.admin2_name or "") == fold(ref["reported_admin2"]), ref["id"]


def test_every_locality_id_is_unique() -> None:
    ids = [row["id"] for row in read_pack_csv("localities.csv")]
    assert len(ids) == len(set(ids))
