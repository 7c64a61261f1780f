"""UCDP GED rows: civilian deaths with their unknown share, precision codes, admin suffixes."""

from __future__ import annotations

import pytest

from civharm.core.precision import Count, DatePrecision, GeoPrecision
from civharm.ingest.records import RowError, SourceRecord
from civharm.ingest.ucdp import read_ucdp, strip_place_type

from .build_fixtures import UCDP_HEADER
from .conftest import FIXTURES, only_records


def test_fixture_reads_every_row_with_source_ids():
    records = only_records(read_ucdp(FIXTURES / "ucdp_ged.csv"))
    assert len(records) == 20
    assert records[0].record_id == "400000" and records[0].row == 2


def test_civilians_killed_range_up_to_unknown_deaths():
    for record in only_records(read_ucdp(FIXTURES / "ucdp_ged.csv")):
        civilians = int(record.payload["deaths_civilians"])
        unknown = int(record.payload["deaths_unknown"])
        assert record.harm["killed"] == Count(civilians, civilians, civilians + unknown)


def test_precision_codes_and_place_suffixes():
    records = only_records(read_ucdp(FIXTURES / "ucdp_ged.csv"))
    assert [r.date_precision for r in records[:5]] == [
        DatePrecision.DAY,
        DatePrecision.WEEK,
        DatePrecision.WEEK,
        DatePrecision.MONTH,
        DatePrecision.YEAR,
    ]
    assert [r.place.precision for r in records[:5]] == [
        GeoPrecision.EXACT,
        GeoPrecision.NEAR,
        GeoPrecision.ADMIN2,
        GeoPrecision.ADMIN1,
        GeoPrecision.COUNTRY,
    ]
    assert (records[0].place.admin1, records[0].place.admin2) == ("Mopti", "Bankass")


def test_one_sided_violence_makes_civilians_the_target():
    second = only_records(read_ucdp(FIXTURES / "ucdp_ged.csv"))[1]
    assert [(a.name, a.key, a.role) for a in second.actors] == [
        ("JNIM", "jnim", "perpetrator"),
        ("Civilians", None, "target"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mopti region", "Mopti"), ("Bankass cercle", "Bankass"), ("Gao", "Gao"), ("", None)],
)
def test_strip_place_type(text, expected):
    assert strip_place_type(text) == expected


def test_negative_or_missing_deaths_are_row_errors(tmp_path):
    path = tmp_path / "ged.csv"
    good = dict.fromkeys(UCDP_HEADER, "")
    good.update(id="1", date_start="2020-01-01", date_end="2020-01-02", deaths_civilians="2")
    good.update(deaths_unknown="0", side_a="JNIM", side_b="Civilians")
    bad = {**good, "id": "2", "deaths_civilians": "-3"}
    reversed_dates = {**good, "id": "3", "date_end": "2019-12-31"}
    lines = [",".join(UCDP_HEADER)] + [
        ",".join(row.values()) for row in (good, bad, reversed_dates)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first, *rejected = read_ucdp(path)
    assert isinstance(first, SourceRecord) and first.record_id == "1"
    errors = [item for item in rejected if isinstance(item, RowError)]
    assert [(e.row, e.column) for e in errors] == [(3, "deaths_civilians"), (4, "date_end")]
