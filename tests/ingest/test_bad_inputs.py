"""The bad-input corpus: each file gives one sentence naming it, or exact RowErrors while
every good row is kept. Files are written by build_fixtures.py."""

from __future__ import annotations

import pytest

from civharm.ingest.pipeline import read_source
from civharm.ingest.records import RowError, SourceRecord, UnreadableFile

from .conftest import BAD

UNREADABLE = {
    "empty.csv": "is empty",
    "only_bom.csv": "is empty",
    "header_only.csv": "no data rows",
    "image.png": "PNG image",
    "not_xlsx.xlsx": "not an Excel workbook",
    "nul_bytes.csv": "binary data",
    "no_header.csv": "no recognisable header",
}
# file -> (rows kept, {row: column of the RowError})
ROW_ERRORS = {
    "ragged_rows.csv": ([2, 5], {3: None, 4: None}),
    "unclosed_quote.csv": ([2], {3: None}),
    "impossible_dates.csv": ([2], {3: "Date", 4: "Date", 5: "Date"}),
    "negative_counts.csv": ([2], {3: "Tués", 4: "Tués"}),
    "reversed_range.csv": ([2], {3: "Tués"}),
    "lat_200.csv": ([2, 3], {}),
    "huge_cell.csv": ([2, 4], {3: "Localité"}),
    "mixed_separators.csv": ([2, 4], {3: None}),
    "windows_line_endings.csv": ([2, 3], {}),
    "no_date_no_place.csv": ([2], {3: None}),
}


def test_corpus_is_fully_covered():
    assert {path.name for path in BAD.iterdir()} == UNREADABLE.keys() | ROW_ERRORS.keys()


@pytest.mark.parametrize(("name", "words"), sorted(UNREADABLE.items()))
def test_unreadable_file_gets_one_sentence_naming_it(name, words):
    with pytest.raises(UnreadableFile) as caught:
        list(read_source("reports", BAD / name))
    message = str(caught.value)
    assert words in message
    assert f"« {name} »" in message
    assert "\n" not in message and "Traceback" not in message
    assert message.endswith(".") and message.count(". ") == 0


@pytest.mark.parametrize(("name", "expected"), sorted(ROW_ERRORS.items()))
def test_bad_rows_are_reported_and_good_rows_kept(name, expected):
    kept_rows, error_rows = expected
    items = list(read_source("reports", BAD / name))
    records = [item for item in items if isinstance(item, SourceRecord)]
    errors = [item for item in items if isinstance(item, RowError)]
    assert [record.row for record in records] == kept_rows
    assert {error.row: error.column for error in errors} == error_rows
    assert all(error.file == name and error.message for error in errors)


def test_out_of_range_coordinates_are_dropped_with_a_warning():
    first = next(iter(read_source("reports", BAD / "lat_200.csv")))
    assert isinstance(first, SourceRecord)
    assert first.place.latitude is None and first.place.name == "Bankass"
    assert any("out of range" in warning for warning in first.warnings)


def test_impossible_date_message_names_the_value():
    errors = [
        i for i in read_source("reports", BAD / "impossible_dates.csv") if isinstance(i, RowError)
    ]
    assert "« 31/02/2022 » does not exist" in errors[0].message
