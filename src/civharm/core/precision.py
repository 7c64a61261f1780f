"""Uncertainty as data: date and place precision, and counts as low/best/high.

A toll reported as "about 20" or "20-30" is kept as a range, never rounded to one number.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DatePrecision(StrEnum):
    """How exactly the date of an event is known (ACLED time_precision, UCDP date_prec)."""

    DAY = "day"
    WEEK = "week"  # within a week (UCDP 2-3, ACLED 2)
    MONTH = "month"  # within a month (UCDP 4, ACLED 3)
    YEAR = "year"  # within a year or longer (UCDP 5)
    UNKNOWN = "unknown"


class GeoPrecision(StrEnum):
    """How exactly the place is known (UCDP where_prec, ACLED geo_precision)."""

    EXACT = "exact"  # the locality itself (UCDP 1, ACLED 1)
    NEAR = "near"  # within about 25 km of the point (UCDP 2, ACLED 2)
    ADMIN3 = "admin3"  # only the commune is known
    ADMIN2 = "admin2"  # only the cercle is known (UCDP 3, ACLED 3)
    ADMIN1 = "admin1"  # only the region is known (UCDP 4)
    COUNTRY = "country"  # only the country (UCDP 5-6)
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Count:
    """A toll with its uncertainty. Any part may be unknown (None); low <= best <= high."""

    low: int | None = None
    best: int | None = None
    high: int | None = None

    def __post_init__(self) -> None:
        low, best, high = self.low, self.best, self.high
        if low is not None and best is not None and high is not None:  # the common case, fast
            if low < 0 or best < 0 or high < 0:
                raise ValueError("a count cannot be negative")
            if not low <= best <= high:
                raise ValueError("a count must satisfy low <= best <= high")
            return
        known = [v for v in (low, best, high) if v is not None]
        if any(v < 0 for v in known):
            raise ValueError("a count cannot be negative")
        if known != sorted(known):
            raise ValueError("a count must satisfy low <= best <= high")

    @classmethod
    def exact(cls, value: int) -> Count:
        return cls(value, value, value)

    @property
    def is_known(self) -> bool:
        return self.low is not None or self.best is not None or self.high is not None
