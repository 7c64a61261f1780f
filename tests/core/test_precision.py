"""Counts keep their rules: never negative, low <= best <= high, unknown parts allowed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civharm.core.precision import Count

part = st.one_of(st.none(), st.integers(min_value=-5, max_value=50))


@given(part, part, part)
def test_count_accepts_exactly_the_ordered_non_negative_parts(low, best, high) -> None:  # type: ignore[no-untyped-def]
    known = [v for v in (low, best, high) if v is not None]
    if any(v < 0 for v in known):
        with pytest.raises(ValueError, match="cannot be negative"):
            Count(low, best, high)
    elif known != sorted(known):
        with pytest.raises(ValueError, match="low <= best <= high"):
            Count(low, best, high)
    else:
        count = Count(low, best, high)
        assert count.is_known == bool(known)


def test_a_negative_best_is_called_negative_not_disordered() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        Count(0, -1, 2)
