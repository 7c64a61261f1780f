"""The UCDP reader's fast paths give what the general paths give, for any cell text."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from civharm.ingest.ucdp import _dates, _dates_in_other_forms, _killed

_DATE_TEXT = st.one_of(
    st.dates().map(str),
    st.dates().map(lambda d: f"{d} 00:00:00.000"),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.sampled_from(["", "2019-02-30", "2019-13-01", "March 2019", "bad", "2019-03-23x"]),
    st.text(max_size=25),
)


@settings(max_examples=400, deadline=None)
@given(_DATE_TEXT, _DATE_TEXT)
@example("2019-03-23", "2019-03-23")
@example("2019-03-23", "2019-03-22")
@example("2019-03-23 00:00:00.000", "2019-03-23")
@example("23/03/2019", "2019-03-23")
@example("2019-03-23", "bad")
@example("bad", "also bad")
def test_iso_fast_path_gives_what_the_general_path_gives(start: str, end: str) -> None:
    cells = {"date_start": start, "date_end": end}
    assert _dates(cells) == _dates_in_other_forms(cells)


def test_a_toll_is_the_same_count_whenever_it_repeats() -> None:
    first = _killed(3, 2)
    assert (first.low, first.best, first.high) == (3, 3, 5)
    assert _killed(3, 2) == first and _killed(0, 0).high == 0
