"""Reader messages follow civharm.core.i18n: French by default, English on request."""

from __future__ import annotations

from pathlib import Path

from civharm.core import i18n
from civharm.ingest.records import RowError
from civharm.ingest.reports import read_reports


def _bad_date_error(tmp_path: Path) -> RowError:
    path = tmp_path / "rapports.csv"
    path.write_text("date;lieu;tués\n31/02/2022;Ogossagou;12\n", encoding="utf-8")
    (error,) = list(read_reports(path))
    assert isinstance(error, RowError)
    return error


def test_a_bad_date_in_a_reports_csv_is_reported_in_french(tmp_path: Path) -> None:
    i18n.activate("fr")
    try:
        error = _bad_date_error(tmp_path)
    finally:
        i18n.activate("en")
    assert (error.row, error.column) == (2, "date")
    assert error.message == (
        "la date « 31/02/2022 » n'existe pas (février 2022 n'a pas de jour 31)"
    )


def test_the_same_bad_date_is_reported_in_english_on_request(tmp_path: Path) -> None:
    error = _bad_date_error(tmp_path)
    assert error.message == "date « 31/02/2022 » does not exist (February 2022 has no day 31)"
