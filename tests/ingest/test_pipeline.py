"""read_source: dispatch by format, stable ids on re-import, and places completed by the
gazetteer in batches (coordinates -> admin units, names -> coordinates, names -> P-codes)."""

from __future__ import annotations

import pytest

from civharm.core.precision import GeoPrecision
from civharm.ingest.pipeline import FORMATS, UnknownFormat, read_source
from civharm.ingest.records import SourceRecord

from .conftest import FIXTURES, only_records

ALL_FIXTURES = [
    ("acled", "acled_current.csv"),
    ("ucdp", "ucdp_ged.csv"),
    ("hxl", "hxl_incidents.csv"),
    ("reports", "reports_fr.csv"),
    ("reports", "reports_en.xlsx"),
    ("victims", "victims_fr_cp1252.csv"),
    ("victims", "victims_en.xlsx"),
]

gazetteer_module = pytest.importorskip("civharm.core.gazetteer")


@pytest.fixture(scope="module")
def gazetteer():
    return gazetteer_module.Gazetteer.load("mali")


def test_every_format_has_a_description():
    assert set(FORMATS) == {"acled", "ucdp", "hxl", "reports", "victims"}
    assert all(FORMATS.values())


def test_unknown_format_is_refused():
    with pytest.raises(UnknownFormat, match="choose one of"):
        list(read_source("kobo", FIXTURES / "ucdp_ged.csv"))


@pytest.mark.parametrize(("fmt", "name"), ALL_FIXTURES)
def test_reimport_gives_identical_ids_and_hashes(fmt, name):
    def read():
        records = only_records(read_source(fmt, FIXTURES / name))
        return [(r.record_id, r.payload_sha256) for r in records]

    first = read()
    assert first == read()
    assert len({record_id for record_id, _ in first}) == len(first)


@pytest.mark.parametrize(("fmt", "name"), ALL_FIXTURES)
def test_payload_is_the_row_as_read(fmt, name):
    for record in read_source(fmt, FIXTURES / name):
        assert isinstance(record, SourceRecord)
        assert all(isinstance(value, str) for value in record.payload.values())


@pytest.mark.parametrize("batch_size", [1, 3, 5000])
def test_coordinates_give_admin_pcodes_in_file_order(gazetteer, batch_size):
    path = FIXTURES / "ucdp_ged.csv"
    records = only_records(read_source("ucdp", path, gazetteer=gazetteer, batch_size=batch_size))
    assert [r.row for r in records] == list(range(2, 22))
    bankass = records[0]  # where_prec 1: every level is filled
    assert (bankass.place.admin1_pcode, bankass.place.admin2_pcode) == ("ML05", "ML0502")
    region_only = records[3]  # where_prec 4: the point is only good to the region
    assert region_only.place.admin1_pcode == "ML05"
    assert region_only.place.precision is GeoPrecision.ADMIN1


def test_names_without_coordinates_are_geocoded(gazetteer):
    records = only_records(read_source("reports", FIXTURES / "reports_fr.csv", gazetteer=gazetteer))
    niono = records[1]
    assert niono.place.latitude is not None and niono.place.geocode_confidence
    assert niono.place.admin2_pcode == "ML0404" and niono.place.locality_id
    assert niono.place.precision is GeoPrecision.EXACT
    douentza_cercle = records[2]  # no locality, only a cercle: P-code by admin name
    assert douentza_cercle.place.admin2_pcode and douentza_cercle.place.latitude is None


def test_points_outside_the_country_are_flagged(gazetteer, tmp_path):
    path = tmp_path / "paris.csv"
    path.write_text("date,lieu,latitude,longitude\n14/03/2022,Paris,48.85,2.35\n", encoding="utf-8")
    (record,) = only_records(read_source("reports", path, gazetteer=gazetteer))
    assert record.place.outside_country
    assert any("outside the country" in warning for warning in record.warnings)


def test_unknown_place_names_warn_and_keep_the_record(gazetteer, tmp_path):
    path = tmp_path / "nowhere.csv"
    path.write_text("date,lieu\n14/03/2022,Xqzzyville\n", encoding="utf-8")
    (record,) = only_records(read_source("reports", path, gazetteer=gazetteer))
    assert record.place.latitude is None
    assert any("not found in the gazetteer" in warning for warning in record.warnings)


def test_batched_ramps_up_to_the_batch_size_and_keeps_every_item_in_order():
    from civharm.ingest.pipeline import batched

    ramped = list(batched(range(100), 32, ramp=True))
    assert [len(b) for b in ramped] == [2, 4, 8, 16, 32, 32, 6]
    assert [item for b in ramped for item in b] == list(range(100))
    assert [len(b) for b in batched(range(100), 32)] == [32, 32, 32, 4]
