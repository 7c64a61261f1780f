"""Round an estimate as its uncertainty warrants: no more digits than the interval supports.

A total of 12,262 with an interval of 9,330–32,115 is published as 12,000 (9,000–32,000);
printing five digits would claim a precision the method does not have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Rounded:
    total: int
    low: int
    high: int
    step: int  # the power of ten everything was rounded to


def rounding_step(low: float, high: float) -> int:
    """The power of ten no larger than a tenth of the interval's width (at least 1)."""
    width = max(high - low, 0.0)
    if width < 10:
        return 1
    return int(10 ** math.floor(math.log10(width / 10)))


def round_as_warranted(total: float, low: float, high: float) -> Rounded:
    """Round all three to the interval's step; the interval only ever widens."""
    step = rounding_step(low, high)
    return Rounded(
        total=int(round(total / step) * step),
        low=int(math.floor(low / step) * step),
        high=int(math.ceil(high / step) * step),
        step=step,
    )
