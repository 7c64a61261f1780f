"""k-anonymity of record-level extracts: the check, and generalising then suppressing."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from civharm.disclosure import (
    age_hierarchy,
    check_k_anonymity,
    date_hierarchy,
    k_anonymise,
    place_hierarchy,
)


def test_the_check_reports_the_smallest_group_and_the_rows_in_small_groups():
    rows = [{"age": 30, "cercle": "ML0501"}] * 3 + [{"age": 41, "cercle": "ML0502"}]
    report = check_k_anonymity(rows, ["age", "cercle"], 3)
    assert (report.smallest_class, report.rows_in_small_classes, report.classes) == (1, 1, 2)
    assert not report.ok
    assert "1" in report.message
    assert check_k_anonymity(rows[:3], ["age", "cercle"], 3).ok


def test_hierarchies_generalise_age_date_and_place():
    assert [age_hierarchy().generalise(25, level) for level in range(3)] == [25, "18-29", "*"]
    assert age_hierarchy().generalise(71, 1) == "60+"
    day = datetime.date(2022, 3, 14)
    assert [date_hierarchy().generalise(day, level) for level in range(4)] == [
        day,
        "2022-03",
        "2022",
        "*",
    ]
    assert place_hierarchy().generalise("ML0701", 1) == "ML07"
    assert place_hierarchy({"ML0704": "ML10"}).generalise("ML0704", 1) == "ML10"


def test_k_anonymise_generalises_as_little_as_needed_then_drops_the_rest():
    rows = [
        {
            "age": 20 + i % 6,
            "date": datetime.date(2022, 3, 1 + i),
            "cercle": "ML0501",
            "harm": "killed",
        }
        for i in range(12)
    ] + [{"age": 67, "date": datetime.date(2021, 7, 2), "cercle": "ML0903", "harm": "injured"}]
    out, report = k_anonymise(rows, ["age", "date", "cercle"], 5, max_suppressed_fraction=0.1)
    assert report.ok and report.smallest_class >= 5
    assert report.suppressed_rows == 1  # the one 67-year-old in Ménaka stays out
    assert report.levels == {"age": 1, "date": 1, "cercle": 0}
    assert {row["age"] for row in out} == {"18-29"}
    assert {row["date"] for row in out} == {"2022-03"}
    assert all(row["harm"] == "killed" for row in out)  # other columns untouched


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "age": st.integers(min_value=0, max_value=90),
                "date": st.dates(
                    min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2023, 12, 31)
                ),
                "cercle": st.sampled_from(["ML0501", "ML0502", "ML0701", "ML0903"]),
            }
        ),
        max_size=40,
    ),
    st.integers(min_value=2, max_value=6),
)
def test_k_anonymise_never_returns_a_small_group(rows, k):
    out, report = k_anonymise(rows, ["age", "date", "cercle"], k)
    assert check_k_anonymity(out, ["age", "date", "cercle"], k).ok
    assert len(out) + report.suppressed_rows == len(rows)
