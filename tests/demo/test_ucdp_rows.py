"""The streaming UCDP writer for the import benchmark."""

from __future__ import annotations

import csv
from pathlib import Path

from civharm.demo import write_ucdp_rows
from civharm.demo.places import MALI_BBOX
from civharm.demo.ucdp import UCDP_COLUMNS


def test_writes_exactly_n_rows_with_the_header(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    write_ucdp_rows(path, 5000, seed=3)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == UCDP_COLUMNS
    assert len(rows) == 5001
    assert all(len(row) == len(UCDP_COLUMNS) for row in rows)


def test_rows_are_ged_shaped_and_inside_mali(tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    write_ucdp_rows(path, 2000)
    south, north, west, east = MALI_BBOX
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            assert south <= float(row["latitude"]) <= north
            assert west <= float(row["longitude"]) <= east
            assert row["country"] == "Mali"
            assert row["source_date"] == row["date_start"] == row["date_end"]
            assert int(row["low"]) <= int(row["best"]) <= int(row["high"])
            assert row["side_b"] == "Civilians"


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_ucdp_rows(tmp_path / "a.csv", 300, seed=9)
    write_ucdp_rows(tmp_path / "b.csv", 300, seed=9)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_zero_rows_writes_only_the_header(tmp_path: Path) -> None:
    write_ucdp_rows(tmp_path / "empty.csv", 0)
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8").count("\n") == 1
