"""Regional aggregates of the API go through disclosure control, as a property over counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civharm.api.queries import protected_by_region

REGIONS = [f"ML0{n}" for n in range(1, 10)]


@given(
    counts=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 200)), min_size=1, max_size=len(REGIONS)
    ),
    threshold=st.integers(2, 10),
)
def test_no_regional_figure_from_one_to_below_the_threshold_is_shown(
    counts: list[tuple[int, int]], threshold: int
) -> None:
    rows = [
        {"admin1_pcode": pcode, "name": pcode, "incidents": incidents, "killed": killed}
        for pcode, (incidents, killed) in zip(REGIONS, counts, strict=False)
    ]
    for row, shown in zip(rows, protected_by_region(rows, threshold), strict=True):
        for measure, exact in (("incidents", row["incidents"]), ("killed_best", row["killed"])):
            assert shown[measure] in {None, exact}
            assert shown[measure] is None or not 0 < shown[measure] < threshold
        if shown["incidents"] is None:
            assert shown["killed_best"] is None and shown["suppressed"]
