"""Reading in a forked child: same items, same order, same errors as reading here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from civharm.ingest.background import can_fork, run_in_child
from civharm.ingest.records import UnreadableFile

pytestmark = pytest.mark.skipif(not can_fork(), reason="fork is not available here")


def _numbers(count: int) -> Iterator[list[int]]:
    for start in range(0, count, 10):
        yield list(range(start, min(start + 10, count)))


def _fails_after_two() -> Iterator[int]:
    yield 1
    yield 2
    raise UnreadableFile("The file « x.csv » has a header row but no data rows.")


def test_child_yields_every_item_in_order() -> None:
    received = [n for chunk in run_in_child(lambda: _numbers(1_000)) for n in chunk]
    assert received == list(range(1_000))


def test_child_exception_is_raised_here_with_its_class_and_sentence() -> None:
    received = []
    with pytest.raises(UnreadableFile, match="has a header row but no data rows"):
        for item in run_in_child(_fails_after_two):
            received.append(item)
    assert received == [1, 2]


def test_closing_early_stops_the_child() -> None:
    stream = run_in_child(lambda: _numbers(10_000_000))
    assert next(stream) == list(range(10))
    stream.close()  # must not hang waiting for the child to finish ten million numbers
