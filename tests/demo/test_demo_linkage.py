"""The demo gives linkage work: one event told by several sources with a day or two between
them (tests/incidents/test_demo_command.py checks that `civharm demo` links its register,
with pairs waiting for review)."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime

import openpyxl
import pytest

from civharm.demo import DemoTruth, generate_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoTruth:
    return generate_demo(tmp_path_factory.mktemp("demo"), seed=2024)


def _day_offsets(truth: DemoTruth, file_name: str, dates: dict[int, date]) -> list[int]:
    """Days between each event row's date and its true event's date."""
    rows = [r for r in truth.sources[file_name].rows if r.kind == "event" and r.row in dates]
    return [(dates[r.row] - truth.event(str(r.event_id)).date).days for r in rows]


def test_press_and_partner_dates_are_sometimes_a_day_or_two_late(demo: DemoTruth) -> None:
    sheet = openpyxl.load_workbook(demo.path("media_reports.xlsx"), read_only=True).active
    media = {
        number: cells[1].date() if isinstance(cells[1], datetime) else cells[1]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        if number > 1 and isinstance(cells[1], date)
    }
    with open(demo.path("partner_incidents_hxl.csv"), encoding="utf-8", newline="") as handle:
        hxl = {
            n: date.fromisoformat(row[1]) for n, row in enumerate(csv.reader(handle), 1) if n > 2
        }
    for file_name, dates in (("media_reports.xlsx", media), ("partner_incidents_hxl.csv", hxl)):
        offsets = _day_offsets(demo, file_name, dates)
        assert 0 in offsets and set(offsets) - {0}, file_name
        assert all(-1 <= days <= 2 for days in offsets), file_name


def test_most_events_are_told_by_two_sources_or_more(demo: DemoTruth) -> None:
    sources_of: dict[str, set[str]] = defaultdict(set)
    for name, source in demo.sources.items():
        if source.format != "victims":
            for event_id in source.event_ids():
                sources_of[event_id].add(name)
    told_twice = [e for e, names in sources_of.items() if len(names) >= 2]
    assert len(told_twice) >= len(demo.events) / 2
