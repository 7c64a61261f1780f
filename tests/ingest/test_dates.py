"""Dates as sources write them: day first, month names in French and English, Excel serials."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civharm.core.precision import DatePrecision
from civharm.ingest.dates import DateParseError, parse_date, widen

DAY = DatePrecision.DAY
MONTH = DatePrecision.MONTH


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        ("2022-03-14", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("2022-03-14 00:00:00.000", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("14/03/2022", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("14-03-2022", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("14.03.2022", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("22 February 2019", dt.date(2019, 2, 22), dt.date(2019, 2, 22), DAY),
        ("22-February-2019", dt.date(2019, 2, 22), dt.date(2019, 2, 22), DAY),
        ("14 mars 2022", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
        ("1er août 2021", dt.date(2021, 8, 1), dt.date(2021, 8, 1), DAY),
        ("mars 2022", dt.date(2022, 3, 1), dt.date(2022, 3, 31), MONTH),
        ("Février 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29), MONTH),
        ("2022-03", dt.date(2022, 3, 1), dt.date(2022, 3, 31), MONTH),
        ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31), DatePrecision.YEAR),
        ("44634", dt.date(2022, 3, 14), dt.date(2022, 3, 14), DAY),
    ],
)
def test_parse_date_reads_common_shapes(text, start, end, precision):
    assert parse_date(text) == (start, end, precision)


def test_slashed_dates_are_day_first():
    assert parse_date("03/04/2022").start == dt.date(2022, 4, 3)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31/02/2022", "does not exist"),
        ("14/13/2022", "no month 13"),
        ("hier", "not a date we can read"),
        ("", "empty"),
    ],
)
def test_unreadable_dates_say_why(text, words):
    with pytest.raises(DateParseError, match=words):
        parse_date(text)


def test_widen_to_month_spans_the_whole_month():
    assert widen(parse_date("14/02/2023"), MONTH) == (
        dt.date(2023, 2, 1),
        dt.date(2023, 2, 28),
        MONTH,
    )


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_real_date_round_trips_in_both_spellings(day):
    assert parse_date(day.isoformat()).start == day
    assert parse_date(day.strftime("%d/%m/%Y")).start == day


@given(st.text(max_size=30))
def test_parse_date_fails_only_with_date_parse_error(text):
    try:
        found = parse_date(text)
    except DateParseError:
        return
    assert found.start <= found.end
