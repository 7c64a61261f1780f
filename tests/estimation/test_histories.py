"""Capture histories: built from list memberships or read from a CSV, errors for people."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civharm.estimation.histories import CaptureHistories, HistoriesError, read_histories_csv


def test_memberships_become_patterns_and_counts() -> None:
    people = [{"UN"}, {"UN", "NGO"}, {"NGO", "UN"}, {"Association"}, set()]
    histories = CaptureHistories.from_memberships(people)
    assert histories.lists == ("Association", "NGO", "UN")
    assert histories.documented == 4  # the person on no list is what estimation is for
    assert histories.list_sizes == {"Association": 1, "NGO": 2, "UN": 3}
    rows = {tuple(p): int(c) for p, c in zip(histories.patterns, histories.counts, strict=True)}
    assert rows == {(0, 0, 1): 1, (0, 1, 1): 2, (1, 0, 0): 1}


def test_the_full_table_has_every_observable_pattern_with_zeros() -> None:
    histories = CaptureHistories.from_table(["A", "B"], [[1, 0], [1, 1], [1, 1]], [5, 2, 3])
    patterns, counts = histories.full_table()
    table = {tuple(p): int(c) for p, c in zip(patterns, counts, strict=True)}
    assert table == {(0, 1): 0, (1, 0): 5, (1, 1): 5}


def test_a_list_that_names_nobody_is_left_out() -> None:
    histories = CaptureHistories.from_memberships([{"A"}, {"A", "B"}], lists=["A", "B", "C"])
    assert histories.without_empty_lists().lists == ("A", "B")


def test_reads_a_published_table(tmp_path: Path) -> None:
    path = tmp_path / "korea.csv"
    path.write_text(
        "b,c,d,Count\n0,0,1,41\n0,1,0,5\n1,0,0,5\n1,1,0,54\n1,0,1,6\n0,1,1,0\n1,1,1,12\n",
        encoding="utf-8",
    )
    histories = read_histories_csv(path)
    assert histories.lists == ("b", "c", "d") and histories.documented == 123
    assert np.all(histories.counts > 0)  # the empty cell is dropped; full_table restores it


def test_reads_french_spreadsheet_exports(tmp_path: Path) -> None:
    path = tmp_path / "listes.csv"
    path.write_bytes("ONU;ONG;nombre\r\n1;0;12\r\n0;1;7\r\n1;1;4\r\n".encode("cp1252"))
    histories = read_histories_csv(path)
    assert histories.lists == ("ONU", "ONG") and histories.documented == 23


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("A,B,count\n1,0,5\n2,1,3\n", "row 3, column A"),
        ("A,B,count\n1,0,5\n1,1,two\n", "row 3, column count"),
        ("A,B,count\n1,0,-4\n", "row 2, column count"),
        ("A,B,count\n", "no capture histories"),
    ],
)
def test_a_bad_table_names_row_and_column(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HistoriesError, match=expected):
        read_histories_csv(path)
