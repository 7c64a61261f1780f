"""The reading child's garbage collection: between items, never lost, and switched back on."""

from __future__ import annotations

import contextlib
import gc
import weakref
from collections.abc import Iterator

from civharm.ingest.background import collect_between_items


class _Node:
    def __init__(self) -> None:
        self.itself = self  # a reference cycle: only the cyclic collector frees it


def _cyclic_items(count: int, refs: list[weakref.ref]) -> Iterator[int]:
    for number in range(count):
        garbage = [_Node() for _ in range(50)]
        refs.extend(weakref.ref(node) for node in garbage)
        del garbage
        yield number


def test_items_come_through_unchanged_and_the_collector_is_back_on() -> None:
    assert gc.isenabled()
    assert list(collect_between_items(iter(range(1_000)))) == list(range(1_000))
    assert gc.isenabled()


def test_cycles_are_collected_between_items() -> None:
    refs: list[weakref.ref] = []
    # The reading child holds few objects; this test process holds the whole suite's: frozen,
    # they are left out of each collection (which took 16 s here, not 0.1 s).
    gc.freeze()
    try:  # closed even if an assertion fails inside: the collector is switched back on
        with contextlib.closing(
            collect_between_items(_cyclic_items(200, refs), every=500)
        ) as items:
            for _number in items:
                assert not gc.isenabled()  # nothing collects in the middle of an item
    finally:
        gc.unfreeze()
    assert gc.isenabled()
    dead = sum(ref() is None for ref in refs)
    assert dead >= len(refs) - 2_000  # all but the last few items' cycles already freed


def test_collector_is_back_on_when_the_consumer_stops_early() -> None:
    stream = collect_between_items(iter(range(10)))
    assert next(stream) == 0
    stream.close()
    assert gc.isenabled()
