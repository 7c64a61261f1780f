"""The demo generator: reproducible files, promised encodings, real places, a usable truth."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from civharm.core.taxonomy import load_taxonomy
from civharm.demo import DEMO_FILES, DemoTruth, generate_demo
from civharm.demo.places import MALI_BBOX, load_localities


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoTruth:
    return generate_demo(tmp_path_factory.mktemp("demo"), seed=2024)


def test_same_seed_gives_byte_identical_files(demo: DemoTruth, tmp_path: Path) -> None:
    again = generate_demo(tmp_path, seed=2024)
    for name in DEMO_FILES:
        assert (tmp_path / name).read_bytes() == demo.path(name).read_bytes(), name
    assert again.events == demo.events


def test_another_seed_gives_other_events(demo: DemoTruth, tmp_path: Path) -> None:
    other = generate_demo(tmp_path, seed=7)
    assert [e.date for e in other.events] != [e.date for e in demo.events]


def test_every_promised_file_is_written(demo: DemoTruth) -> None:
    assert set(demo.sources) == set(DEMO_FILES)
    assert all(demo.path(name).stat().st_size > 0 for name in DEMO_FILES)


def test_reports_are_utf8_with_bom_and_semicolons(demo: DemoTruth) -> None:
    data = demo.path("rapports_entretiens.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].decode("utf-8").splitlines()[0]
    assert header.split(";")[:3] == ["Référence", "Date de l'incident", "Précision de la date"]


def test_ngo_list_is_cp1252_and_not_utf8(demo: DemoTruth) -> None:
    data = demo.path("liste_victimes_ong.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    header = data.decode("cp1252").splitlines()[0]
    assert header == "N°;NOM;Prénom;Sexe (M/F);Âge;Date du décès;Lieu;Cercle;Région"


def test_hxl_file_has_a_hashtag_row(demo: DemoTruth) -> None:
    with demo.path("partner_incidents_hxl.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert all(cell.startswith("#") for cell in rows[1])


def test_row_provenance_matches_the_files(demo: DemoTruth) -> None:
    for name, source in demo.sources.items():
        path = demo.path(name)
        if path.suffix == ".xlsx":
            data_rows = openpyxl.load_workbook(path, read_only=True).active.max_row - 1
        else:
            with path.open(encoding=source.encoding, newline="") as handle:
                data_rows = len(list(csv.reader(handle, delimiter=source.delimiter or ","))) - 1
            data_rows -= 1 if source.format == "hxl" else 0
        assert len(source.rows) == data_rows, name
        first_row = 3 if source.format == "hxl" else 2
        assert [r.row for r in source.rows] == list(range(first_row, first_row + data_rows))


def test_events_are_at_real_localities_inside_mali(demo: DemoTruth) -> None:
    known = {loc.id: loc for loc in load_localities()}
    south, north, west, east = MALI_BBOX
    for event in demo.events:
        assert known[event.locality_id] == event.locality
        assert south <= event.locality.latitude <= north
        assert west <= event.locality.longitude <= east


def test_acled_and_ucdp_coordinates_are_inside_mali(demo: DemoTruth) -> None:
    south, north, west, east = MALI_BBOX
    for name in ("acled_demo.csv", "ucdp_ged_demo.csv"):
        with demo.path(name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert south <= float(row["latitude"]) <= north
                assert west <= float(row["longitude"]) <= east


def test_truth_uses_taxonomy_keys_and_central_north_weighting(demo: DemoTruth) -> None:
    taxonomy = load_taxonomy()
    assert {e.actor_key for e in demo.events} <= set(taxonomy.keys("actors"))
    assert {e.context for e in demo.events} <= set(taxonomy.keys("interaction_contexts"))
    regions = Counter(e.locality.region_key for e in demo.events)
    central_north = sum(regions[r] for r in ("mopti", "segou", "tombouctou", "gao", "menaka"))
    assert central_north > 0.7 * len(demo.events)


def test_no_air_strikes_by_militias_or_bandits(demo: DemoTruth) -> None:
    taxonomy = load_taxonomy()
    for event in demo.events:
        if event.context == "air_drone_strike":
            assert taxonomy.actor_category(event.actor_key) in ("state_forces", "foreign_forces")


def test_a_few_large_events_and_many_small_ones(demo: DemoTruth) -> None:
    killed = sorted(e.tolls["killed"] for e in demo.events)
    assert 3 <= sum(k >= 30 for k in killed) <= 10
    assert killed[len(killed) // 2] <= 5


def test_each_generated_person_belongs_to_one_event(demo: DemoTruth) -> None:
    ids = [v.victim_id for v in demo.victims]
    assert len(ids) == len(set(ids))
    per_event = Counter(v.event_id for v in demo.victims)
    for event in demo.events:
        assert per_event[event.event_id] == event.tolls["killed"] + event.tolls["abducted"]


def test_large_events_have_homonyms(demo: DemoTruth) -> None:
    large = [e for e in demo.events if e.is_large]
    for event in large:
        names = Counter((v.given_name, v.family_name) for v in demo.victims_of(event.event_id))
        assert max(names.values()) >= 2


def test_ngo_and_un_lists_overlap_partially(demo: DemoTruth) -> None:
    ngo = demo.sources["liste_victimes_ong.csv"].victim_ids()
    un = demo.sources["un_victim_list.xlsx"].victim_ids()
    assert len(ngo & un) >= 20
    assert len(ngo - un) >= 20
    assert len(un - ngo) >= 20
    killed = sum(1 for v in demo.victims if v.harm_type == "killed")
    assert 0.35 < len(un) / killed < 0.55


def test_acled_has_clashes_outside_the_truth(demo: DemoTruth) -> None:
    kinds = Counter(r.kind for r in demo.sources["acled_demo.csv"].rows)
    assert kinds["not_in_truth"] == 30
    assert 0.6 < len(demo.sources["acled_demo.csv"].event_ids()) / len(demo.events) < 0.85


def test_deliberate_errors_and_resent_rows_exist(demo: DemoTruth) -> None:
    sources = demo.sources.values()
    assert sum(len(s.deliberate_error_rows()) for s in sources) >= 2
    assert sum(len(s.duplicate_rows()) for s in sources) >= 3


@pytest.mark.skipif(
    importlib.util.find_spec("civharm.ingest.pipeline") is None,
    reason="the importers (civharm.ingest.pipeline) are not written yet",
)
def test_every_file_reads_with_only_the_deliberate_errors(demo: DemoTruth) -> None:
    from civharm.ingest.pipeline import read_source
    from civharm.ingest.records import RowError

    for name, source in demo.sources.items():
        items = list(read_source(source.format, demo.path(name)))
        error_rows = {item.row for item in items if isinstance(item, RowError)}
        expected = {r.row for r in source.deliberate_error_rows()}
        assert error_rows == expected, name
