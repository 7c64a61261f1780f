"""Streaming and speed of the UCDP reader, the benchmark's hot path (marked slow).

Figures measured by hand are in the lead's report; these tests only guard against regressions
that would break streaming (memory growing with the file) or make imports unusably slow.
"""

from __future__ import annotations

import time
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


def test_ucdp_reader_keeps_a_useful_pace(ged_file):
    started = time.perf_counter()
    count = sum(1 for _ in read_source("ucdp", ged_file))
    rate = count / (time.perf_counter() - started)
    assert rate > 5_000  # ~33,000 rows/s measured; a floor that slow CI machines still pass
