"""The incident-report template in French (CSV) and English (XLSX), and `columns=` overrides."""

from __future__ import annotations

import datetime as dt

import pytest

from civharm.core.precision import Count, DatePrecision
from civharm.ingest.records import RowError, UnreadableFile
from civharm.ingest.reports import read_reports

from .conftest import FIXTURES


def _records(path, **kwargs):
    items = list(read_reports(path, **kwargs))
    assert not [item for item in items if isinstance(item, RowError)]
    return items


def test_french_csv_with_bom_semicolons_and_day_first_dates():
    first, second, third, fourth = _records(FIXTURES / "reports_fr.csv")
    assert first.record_id == "R-001"
    assert first.date_start == dt.date(2022, 3, 14)
    assert second.date_start == dt.date(2022, 4, 3)  # 03/04/2022 is 3 April
    assert first.harm["killed"] == Count(best=12)
    assert second.harm["killed"] == Count(20, None, 30)
    assert first.place.latitude == 14.0775  # decimal comma
    assert first.interaction_context == "attack_on_village"
    assert [a.key for a in second.actors] == ["fama", "africa_corps_wagner"]
    assert third.date_precision is DatePrecision.MONTH
    assert third.harm["abducted"] == Count(low=5)
    assert fourth.harm["killed"] == Count()  # "inconnu": unknown, not zero
    assert (first.language, third.language) == ("fr", "bm")


def test_english_xlsx_with_title_row_date_cells_and_excel_serials():
    first, second, third = _records(FIXTURES / "reports_en.xlsx")
    assert first.row == 3  # title row 1, header row 2
    assert (first.date_start, first.date_end) == (dt.date(2023, 6, 1), dt.date(2023, 6, 3))
    assert first.date_precision is DatePrecision.WEEK
    assert second.date_start == dt.date(2023, 7, 3)  # the serial 45110
    assert second.interaction_context == "ambush"
    assert third.harm["killed"] == Count(low=3)
    assert third.date_precision is DatePrecision.MONTH


def test_columns_override_recognition(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("Quand,Où,Combien\n14/03/2022,Mopti,3\n", encoding="utf-8")
    columns = {"date": "Quand", "place": "Où", "killed": "Combien"}
    (record,) = _records(path, columns=columns)
    assert record.place.name == "Mopti" and record.harm["killed"] == Count.exact(3)


def test_columns_naming_an_absent_header_is_one_sentence(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("date,lieu\n14/03/2022,Mopti\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="no column « Absent »"):
        list(read_reports(path, columns={"killed": "Absent"}))


def test_unknown_context_is_kept_as_other_with_a_warning(tmp_path):
    path = tmp_path / "context.csv"
    path.write_text("date,lieu,contexte\n14/03/2022,Mopti,mystère\n", encoding="utf-8")
    (record,) = _records(path)
    assert record.interaction_context == "other"
    assert "not in the taxonomy" in record.warnings[0]
