"""Small-cell suppression, as a property over all counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civharm.api.queries import suppress_small


@given(value=st.integers(min_value=0, max_value=10**9), threshold=st.integers(1, 50))
def test_only_counts_from_one_to_below_the_threshold_are_withheld(
    value: int, threshold: int
) -> None:
    shown = suppress_small(value, threshold)
    assert (shown is None) == (0 < value < threshold)
    assert shown in {None, value}
