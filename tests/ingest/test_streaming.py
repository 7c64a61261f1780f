"""Streaming of the UCDP reader, the benchmark's hot path (marked slow).

Guards against memory growing with the file; speed is measured in bench/import.py, not here.
"""

from __future__ import annotations

import tracemalloc

import pytest

from civharm.ingest.pipeline import read_source

from .build_fixtures import write_ucdp_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ged_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ged") / "ged_50000.csv"
    write_ucdp_rows(path, 50_000)
    return path


def test_ucdp_reader_streams_in_constant_memory(ged_file):
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_source("ucdp", ged_file))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 50_000
    assert peak < 40_000_000  # ~11 MB measured for 100,000 rows: nothing is kept per row
