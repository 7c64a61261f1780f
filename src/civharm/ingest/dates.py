"""Parse the dates sources write (ISO, French jj/mm/aaaa, ACLED, month names, Excel serials).

Returns a date range with its precision; never guesses month-first: 03/04/2022 is 3 April.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import NamedTuple

from civharm.core.i18n import _
from civharm.core.precision import DatePrecision
from civharm.core.text import fold


class DateParseError(ValueError):
    """A date cell that cannot be read; str() is a sentence naming the value's shape."""


class DateRange(NamedTuple):
    start: dt.date
    end: dt.date
    precision: DatePrecision


MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        ("janvier", "january", "jan", "janv"),
        ("fevrier", "february", "feb", "fev", "fevr"),
        ("mars", "march", "mar"),
        ("avril", "april", "apr", "avr"),
        ("mai", "may"),
        ("juin", "june", "jun"),
        ("juillet", "july", "jul", "juil"),
        ("aout", "august", "aug"),
        ("septembre", "september", "sep", "sept"),
        ("octobre", "october", "oct"),
        ("novembre", "november", "nov"),
        ("decembre", "december", "dec"),
    ],
    start=1,
):
    MONTHS.update(dict.fromkeys(_names, _number))

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
EXCEL_SERIAL_RANGE = (20_000, 80_000)  # 1954..2119: no year or day-month reads like this

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_MONTH_YEAR_NUMERIC = re.compile(r"(\d{1,2})[/.\-](\d{4})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_WORDY = re.compile(r"(?:(\d{1,2})(?:er|st|nd|rd|th)?\s+)?([a-z]+)\s+(\d{4})")


def parse_date(text: str) -> DateRange:
    """Parse one date cell; month precision spans the whole month, year precision the year.

    Raises DateParseError (a sentence for a person) when the text is empty, unreadable,
    or a date that does not exist (31/02/2022).
    """
    cleaned = text.strip()
    if not cleaned:
        raise DateParseError(_("the date is empty"))
    for parse in (_parse_numeric, _parse_wordy):
        found = parse(cleaned)
        if found is not None:
            return found
    raise DateParseError(
        _(
            "date « {text} » is not a date we can read "
            "(write it as 14/03/2022, 2022-03-14, 14 mars 2022 or mars 2022)"
        ).format(text=_shape(cleaned))
    )


def _parse_numeric(text: str) -> DateRange | None:
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
        return _day(year, month, day, text)
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _day(year + 2000 if year < 100 else year, month, day, text)
    if match := _ISO_MONTH.fullmatch(text):
        return _month(int(match[1]), int(match[2]), text)
    if match := _MONTH_YEAR_NUMERIC.fullmatch(text):
        return _month(int(match[2]), int(match[1]), text)
    if match := _YEAR.fullmatch(text):
        year = int(match[1])
        return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31), DatePrecision.YEAR)
    if match := _SERIAL.fullmatch(text):
        return excel_serial(float(text), text)
    return None


def _parse_wordy(text: str) -> DateRange | None:
    folded = fold(text)
    # "22-February-2019" folds to "22 february 2019"; "14 mars 2022", "mars 2022", "1er mars 2022"
    match = _WORDY.fullmatch(folded)
    if match is None or match[2] not in MONTHS:
        return None
    month, year = MONTHS[match[2]], int(match[3])
    if match[1] is None:
        return _month(year, month, text)
    return _day(year, month, int(match[1]), text)


def _day(year: int, month: int, day: int, text: str) -> DateRange:
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise DateParseError(_impossible(text, year, month, day)) from None
    return DateRange(value, value, DatePrecision.DAY)


def _month(year: int, month: int, text: str) -> DateRange:
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise DateParseError(
            _("date « {text} » has no month {month}").format(text=_shape(text), month=month)
        )
    last = calendar.monthrange(year, month)[1]
    return DateRange(dt.date(year, month, 1), dt.date(year, month, last), DatePrecision.MONTH)


def excel_serial(serial: float, text: str = "") -> DateRange:
    """An Excel day number (e.g. 44634 = 2022-03-14), as found in badly typed XLSX cells."""
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial < high:
        raise DateParseError(
            _("« {text} » is not a plausible Excel date").format(text=_shape(text or str(serial)))
        )
    value = EXCEL_EPOCH + dt.timedelta(days=int(serial))
    return DateRange(value, value, DatePrecision.DAY)


def widen(found: DateRange, precision: DatePrecision) -> DateRange:
    """Widen a day to the month or year a source says it is only known to (never narrows)."""
    start = found.start
    if precision is DatePrecision.MONTH:
        last = calendar.monthrange(start.year, start.month)[1]
        return DateRange(start.replace(day=1), start.replace(day=last), precision)
    if precision is DatePrecision.YEAR:
        return DateRange(dt.date(start.year, 1, 1), dt.date(start.year, 12, 31), precision)
    return DateRange(found.start, found.end, precision)


def _impossible(text: str, year: int, month: int, day: int) -> str:
    if not 1 <= month <= 12:
        return _(
            "date « {text} » has no month {month} (dates are read day first: jj/mm/aaaa)"
        ).format(text=_shape(text), month=month)
    return _("date « {text} » does not exist ({month_name} {year} has no day {day})").format(
        text=_shape(text), month_name=_month_names()[month - 1], year=year, day=day
    )


def _month_names() -> tuple[str, ...]:
    """The twelve month names in the active language (for messages only, never for parsing)."""
    return (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )


def _shape(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"
