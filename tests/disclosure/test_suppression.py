"""Hand-worked releases: each bound here was worked out on paper and is checked three ways
(the package's audit, an independent integer programme, plain enumeration where small)."""

from __future__ import annotations

import pytest

from civharm.disclosure import (
    PRIMARY,
    SECONDARY,
    SHOWN,
    DisclosureError,
    ProtectedCell,
    ProtectedRelease,
    ProtectedTable,
    TableSpec,
    UnsafeReleaseError,
    assert_release_is_safe,
    audit_release,
    protect_counts,
)
from tests.disclosure.independent_bounds import enumerate_bounds, independent_bounds

TOTAL = TableSpec("total", ())
BY_REGION = TableSpec("by_region", ("region",))
BY_HARM = TableSpec("by_harm", ("harm",))
BY_REGION_HARM = TableSpec("by_region_harm", ("region", "harm"))


def incidents(
    counts: dict[tuple[str, ...], int], dimensions: tuple[str, ...]
) -> list[dict[str, object]]:
    return [dict(zip(dimensions, key, strict=True)) for key, n in counts.items() for _ in range(n)]


def statuses(release: ProtectedRelease, name: str) -> dict[tuple[str, ...], str]:
    return {cell.key: cell.status for cell in release.table(name).cells}


def test_one_small_region_forces_the_smallest_sufficient_complement():
    # A=2 B=10 C=7 D=12, total 31, k=5. Withholding A alone: A = 31-10-7-12. The complement
    # must leave A able to reach 5: C=7 does (A+C=9, A in [1, 8]); nothing smaller would.
    records = incidents({("A",): 2, ("B",): 10, ("C",): 7, ("D",): 12}, ("region",))
    release = protect_counts(records, [TOTAL, BY_REGION], threshold=5)
    assert statuses(release, "by_region") == {
        ("A",): PRIMARY,
        ("B",): SHOWN,
        ("C",): SECONDARY,
        ("D",): SHOWN,
    }
    assert release.table("total").value() == 31
    assert release.table("by_region").value("A") is None
    expected = {("by_region", ("A",)): (1, 8), ("by_region", ("C",)): (1, 8)}
    assert audit_release(records, release) == expected
    assert independent_bounds(records, release) == expected
    # by hand, as atoms A and C with A + C = 9
    assert enumerate_bounds(
        {"A": 2, "C": 7}, [({"A", "C"}, 9)], {"A": {"A"}, "C": {"C"}}, limit=9
    ) == {"A": (1, 8), "C": (1, 8)}
    assert_release_is_safe(records, release)


def test_two_way_table_with_margins_withholds_a_rectangle():
    #      x   y   z        withholding (A,x)=2 needs a rectangle: (A,y), (B,x), (B,y).
    #  A   2   8   9        With a = (A,x): (A,y) = 10-a, (B,x) = 8-a, (B,y) = 5+a, all >= 1,
    #  B   6   7  10        so a in [1, 7]: (A,x) [1,7], (A,y) [3,9], (B,x) [1,7], (B,y) [6,12].
    #  C   9  11  12
    grid = {("A", "x"): 2, ("A", "y"): 8, ("A", "z"): 9, ("B", "x"): 6, ("B", "y"): 7}
    grid |= {("B", "z"): 10, ("C", "x"): 9, ("C", "y"): 11, ("C", "z"): 12}
    records = incidents(grid, ("region", "harm"))
    release = protect_counts(records, [TOTAL, BY_REGION, BY_HARM, BY_REGION_HARM], threshold=5)
    withheld = {
        key for key, status in statuses(release, "by_region_harm").items() if status != SHOWN
    }
    assert withheld == {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y")}
    assert release.suppressed_count == 4  # the margins stay shown
    expected = {
        ("by_region_harm", ("A", "x")): (1, 7),
        ("by_region_harm", ("A", "y")): (3, 9),
        ("by_region_harm", ("B", "x")): (1, 7),
        ("by_region_harm", ("B", "y")): (6, 12),
    }
    assert audit_release(records, release) == expected
    assert independent_bounds(records, release) == expected


def test_two_tables_sharing_a_margin_are_protected_together():
    # region x harm and region x context share the region margin: a complement chosen in
    # one table must not be undone by the other.
    records = incidents(
        {
            ("A", "killed", "patrol"): 2,
            ("A", "injured", "search"): 9,
            ("A", "killed", "search"): 6,
            ("B", "killed", "patrol"): 8,
            ("B", "injured", "patrol"): 7,
            ("B", "injured", "search"): 3,
            ("C", "killed", "search"): 12,
            ("C", "injured", "patrol"): 10,
        },
        ("region", "harm", "context"),
    )
    tables = [
        TOTAL,
        BY_REGION,
        BY_REGION_HARM,
        TableSpec("by_region_context", ("region", "context")),
    ]
    release = protect_counts(records, tables, threshold=5)
    assert statuses(release, "by_region_context")[("B", "search")] == PRIMARY
    assert statuses(release, "by_region_context")[("A", "patrol")] == PRIMARY
    bounds = independent_bounds(records, release)
    assert bounds == audit_release(records, release)
    for (name, key), (low, high) in bounds.items():
        assert low < high, (name, key)
        if statuses(release, name)[key] == PRIMARY:
            assert high >= 5, (name, key, low, high)
    assert_release_is_safe(records, release)


def test_several_actors_per_incident_are_counted_in_each_and_bounded_exactly():
    # Without the one incident of both fama and jnim, dna = 14 - 6 - 6 exactly: a complement
    # is needed. With it, dna = 1 + (incidents of both), and both can range over 0..7, so
    # dna lies anywhere in [1, 8] and nothing else need be withheld.
    alone = [{"actor": ("fama",)}] * 6 + [{"actor": ("dna",)}] * 2 + [{"actor": ("jnim",)}] * 6
    by_actor = TableSpec("by_actor", ("actor",))
    release = protect_counts(alone, [TOTAL, by_actor], threshold=5)
    assert release.suppressed_count == 2
    assert_release_is_safe(alone, release)

    both = [*alone, {"actor": ("fama", "jnim")}]
    release = protect_counts(both, [TOTAL, by_actor], threshold=5)
    assert statuses(release, "by_actor") == {("dna",): PRIMARY, ("fama",): SHOWN, ("jnim",): SHOWN}
    assert release.table("by_actor").value("fama") == 7
    assert release.table("total").value() == 15  # tables over actors do not add up to the total
    expected = {("by_actor", ("dna",)): (1, 8)}
    assert audit_release(both, release) == expected
    assert independent_bounds(both, release) == expected
    atoms = {"f": 6, "d": 2, "j": 6, "fj": 1}
    assert enumerate_bounds(
        atoms,
        [({"f", "d", "j", "fj"}, 15), ({"f", "fj"}, 7), ({"j", "fj"}, 7)],
        {"dna": {"d"}},
        limit=15,
    ) == {"dna": (1, 8)}


def test_a_measure_is_summed_and_zero_categories_are_shown():
    records = [
        {"region": "A", "killed": 3},
        {"region": "A", "killed": 0},
        {"region": "B", "killed": 20},
    ]
    release = protect_counts(
        records,
        [TOTAL, BY_REGION],
        measure="killed",
        threshold=5,
        categories={"region": ["A", "B", "Z"]},
    )
    assert [cell.key for cell in release.table("by_region").cells] == [("A",), ("B",), ("Z",)]
    assert release.table("by_region").value("Z") == 0
    assert release.table("by_region").value("A") is None
    # 23 - 20 would give A away: B is withheld too (same table), the total stays
    assert release.table("by_region").value("B") is None
    assert release.table("total").value() == 23
    assert_release_is_safe(records, release, measure="killed")


def test_everything_small_is_everything_withheld():
    records = incidents({("A",): 1, ("B",): 2}, ("region",))
    release = protect_counts(records, [TOTAL, BY_REGION], threshold=5)
    assert all(cell.value is None for t in release.tables.values() for cell in t.cells)
    assert audit_release(records, release)[("total", ())][1] == float("inf")


def test_the_audit_rejects_a_release_that_gives_a_small_cell_away():
    records = incidents({("A",): 2, ("B",): 10, ("C",): 7}, ("region",))
    naive = ProtectedRelease(
        5,
        {
            "total": ProtectedTable(TOTAL, (ProtectedCell((), 19, SHOWN),)),
            "by_region": ProtectedTable(
                BY_REGION,
                (
                    ProtectedCell(("A",), None, PRIMARY),
                    ProtectedCell(("B",), 10, SHOWN),
                    ProtectedCell(("C",), 7, SHOWN),
                ),
            ),
        },
    )
    assert audit_release(records, naive) == {("by_region", ("A",)): (2, 2)}
    with pytest.raises(UnsafeReleaseError, match="narrowed"):
        assert_release_is_safe(records, naive)


def test_bad_measures_are_refused():
    with pytest.raises(DisclosureError):
        protect_counts([{"region": "A", "killed": -1}], [BY_REGION], measure="killed")
    with pytest.raises(DisclosureError):
        protect_counts([{"region": "A", "killed": 1.5}], [BY_REGION], measure="killed")
