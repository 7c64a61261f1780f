"""Shared paths for the ingest tests: committed fixtures and the bad-input corpus."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from civharm.ingest.records import RowError, SourceRecord

FIXTURES = Path(__file__).parent / "fixtures"
BAD = Path(__file__).parent / "bad"
REAL_ACLED = Path("/work/shared/data/real/acled_mali_2017-01-01_2019-02-22_old_schema.csv")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def only_records(items: Iterable[SourceRecord | RowError]) -> list[SourceRecord]:
    """The records of a read, failing the test if any row was rejected."""
    found = list(items)
    errors = [item for item in found if isinstance(item, RowError)]
    assert not errors, errors
    return [item for item in found if isinstance(item, SourceRecord)]
