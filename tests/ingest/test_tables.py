"""Opening tables: encodings, separators, XLSX, header search, ragged rows, streaming."""

from __future__ import annotations

import openpyxl
import pytest

from civharm.ingest.records import RowError, UnreadableFile
from civharm.ingest.tables import detect_encoding, open_table, sniff_delimiter


def _open(path, **kwargs):
    return open_table(path, header_test=lambda cells: "nom" in cells, expected="nom", **kwargs)


def test_cp1252_file_is_read_without_mojibake(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes("nom;région\nKeïta;Ségou\n".encode("cp1252"))
    rows = list(_open(path).rows())
    assert rows == [(2, {"nom": "Keïta", "région": "Ségou"})]


def test_valid_utf8_is_never_read_as_cp1252():
    assert detect_encoding("Ségou".encode()) == "utf-8"
    assert detect_encoding("Ségou".encode()[:2]) == "utf-8"  # cut inside a character
    assert detect_encoding("\ufeffSégou".encode()) == "utf-8-sig"
    assert detect_encoding("Ségou".encode("cp1252")) == "cp1252"


@pytest.mark.parametrize(
    ("line", "separator"),
    [("a,b,c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ('"x;y",b,c', ","), ("alone", ",")],
)
def test_separator_is_sniffed_from_the_header_line(line, separator):
    assert sniff_delimiter(line) == separator


def test_bom_and_spaces_are_stripped_and_empty_cells_are_empty(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffnom , âge\r\n  Awa  ,\r\n".encode())
    table = _open(path)
    assert table.header == ["nom", "âge"]
    assert list(table.rows()) == [(2, {"nom": "Awa", "âge": ""})]


def test_header_is_found_below_title_lines(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Liste des victimes\n\nnom,âge\nAwa,30\n", encoding="utf-8")
    table = _open(path)
    assert table.header_row == 3
    assert list(table.rows()) == [(4, {"nom": "Awa", "âge": "30"})]


def test_hashtag_row_under_the_header_is_kept_as_hxl_tags(tmp_path):
    path = tmp_path / "hxl.csv"
    path.write_text("nom,date\n#loc+name,#date\nMopti,2022\n", encoding="utf-8")
    table = _open(path)
    assert table.hxl_tags == ["#loc+name", "#date"]
    assert list(table.rows()) == [(3, {"nom": "Mopti", "date": "2022"})]


def test_repeated_and_empty_headers_keep_every_cell(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("nom,nom,\na,b,c\n", encoding="utf-8")
    assert _open(path).header == ["nom", "nom (2)", "column 3"]


def test_ragged_row_is_a_row_error_and_later_rows_survive(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("nom,âge\nA,1,2\nB,2\n", encoding="utf-8")
    rows = list(_open(path).rows())
    assert isinstance(rows[0], RowError) and rows[0].row == 2
    assert rows[1] == (3, {"nom": "B", "âge": "2"})


def test_trailing_empty_cells_are_not_ragged(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("nom,âge\nA,1,,\n", encoding="utf-8")
    assert list(_open(path).rows()) == [(2, {"nom": "A", "âge": "1"})]


def test_invalid_utf8_after_the_sample_is_a_row_error(tmp_path):
    path = tmp_path / "late.csv"
    body = "nom,âge\n" + "Awa,1\n" * 20000
    path.write_bytes(body.encode() + "Zoé,2\n".encode("cp1252") + b"Ali,3\n")
    rows = list(_open(path).rows())
    errors = [row for row in rows if isinstance(row, RowError)]
    assert [error.row for error in errors] == [20002]
    assert rows[-1] == (20003, {"nom": "Ali", "âge": "3"})


def test_xlsx_is_streamed_from_the_first_sheet_unless_told(tmp_path):
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["nom", "âge"])
    workbook.active.append(["Awa", 30.0])
    other = workbook.create_sheet("autre")
    other.append(["nom"])
    other.append(["Ali"])
    workbook.save(path)
    assert list(_open(path).rows()) == [(2, {"nom": "Awa", "âge": "30"})]
    assert list(_open(path, sheet="autre").rows()) == [(2, {"nom": "Ali"})]
    with pytest.raises(UnreadableFile, match="no sheet named"):
        _open(path, sheet="absent")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(UnreadableFile, match=r"« absent\.csv » does not exist"):
        _open(tmp_path / "absent.csv")
