"""HXL tables: hashtags with attributes in any order, with or without a human header row."""

from __future__ import annotations

import pytest

from civharm.core.precision import Count, DatePrecision
from civharm.ingest.hxl import map_tags, parse_tag, read_hxl
from civharm.ingest.records import UnreadableFile

from .conftest import FIXTURES, only_records


def test_tags_ignore_case_spacing_and_attribute_order():
    assert parse_tag("#Affected +Killed") == parse_tag("#affected+killed")
    assert parse_tag("#adm1 +code +name") == parse_tag("#adm1+name+code")
    assert parse_tag("Tués") is None


def test_end_date_is_never_read_as_start_date():
    fields = map_tags(["#date+end", "#date+start"], ["fin", "début"])
    assert fields == {"date_end": "fin", "date": "début"}


def test_fixture_reads_dates_places_tolls_and_perpetrators():
    first, second, third = only_records(read_hxl(FIXTURES / "hxl_incidents.csv"))
    assert first.row == 3  # header row 1, hashtag row 2
    assert first.harm == {"killed": Count.exact(7), "injured": Count.exact(3)}
    assert first.interaction_context == "ied_landmine"
    assert first.actors[0].key == "jnim"
    assert (first.place.admin1, first.place.admin2, first.place.latitude) == (
        "Mopti",
        "Bankass",
        14.0775,
    )
    assert second.harm["killed"] == Count(best=12)
    assert third.date_precision is DatePrecision.MONTH
    assert third.harm["killed"] == Count(20, None, 30)


def test_hashtag_row_alone_is_enough(tmp_path):
    path = tmp_path / "tags_only.csv"
    path.write_text("#date,#loc+name,#affected+killed\n2023-01-02,Mopti,4\n", encoding="utf-8")
    (record,) = only_records(read_hxl(path))
    assert record.row == 2 and record.harm["killed"] == Count.exact(4)
    assert record.payload == {"#date": "2023-01-02", "#loc+name": "Mopti", "#affected+killed": "4"}


def test_table_without_hashtags_is_unreadable(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("date,lieu\n2023-01-02,Mopti\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no HXL hashtag row"):
        list(read_hxl(path))
