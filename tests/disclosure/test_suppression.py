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
from tests.disclosure.independent_bounds import (
    enumerate_bounds,
    hidden_criterion_holds,
    independent_bounds,
)

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
    # is needed. With it, dna = 1 + fj (fj: incidents of both). The attacker knows which sets
    # of actors occur (each >= 1) and fama alone = 7 - fj >= 1, so fj in [1, 6] and dna in
    # [2, 7]: dna and the single joint incident can both reach 5, nothing else is withheld.
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
    hidden = "by_actor [exact sets]"
    expected = {
        ("by_actor", ("dna",)): (2, 7),
        (hidden, ("dna",)): (2, 7),
        (hidden, ("fama",)): (1, 6),
        (hidden, ("fama+jnim",)): (1, 6),
        (hidden, ("jnim",)): (1, 6),
    }
    assert audit_release(both, release) == expected
    assert independent_bounds(both, release) == expected
    assert_release_is_safe(both, release)
    atoms = {"f": 6, "d": 2, "j": 6, "fj": 1}
    assert enumerate_bounds(
        atoms,
        [({"f", "d", "j", "fj"}, 15), ({"f", "fj"}, 7), ({"j", "fj"}, 7)],
        {"dna": {"d"}, "fama alone": {"f"}, "jnim alone": {"j"}, "both": {"fj"}},
        limit=15,
    ) == {"dna": (2, 7), "fama alone": (1, 6), "jnim alone": (1, 6), "both": (1, 6)}


def test_incidents_of_two_actors_cannot_be_worked_out_from_the_one_way_table():
    # A=8, B=8, total=14 would give A + B - total = 2 incidents of both A and B: a small
    # count no table shows. Something must be withheld, and the joint count must be able
    # to reach k given what is shown.
    records = [{"actor": ("A", "B")}] * 2 + [{"actor": ("A",)}] * 6 + [{"actor": ("B",)}] * 6
    by_actor = TableSpec("by_actor", ("actor",))
    tables = [by_actor, TableSpec("totals", ())]
    release = protect_counts(records, tables, threshold=5)
    assert release.suppressed_count >= 1
    assert_release_is_safe(records, release)
    # no table of the release lists an exact-set cell
    assert [key for key, _status in statuses(release, "by_actor").items()] == [("A",), ("B",)]
    assert set(release.tables) == {"by_actor", "totals"}

    # by hand, by plain enumeration: atoms ab (both), a (A alone), b (B alone), each
    # occurring (>= 1); a shown cell is an equality, a withheld one is >= 1
    cell_atoms = {("by_actor", ("A",)): {"ab", "a"}, ("by_actor", ("B",)): {"ab", "b"}}
    cell_atoms[("totals", ())] = {"ab", "a", "b"}
    shown, withheld = [], {"joint": {"ab"}, "a alone": {"a"}, "b alone": {"b"}}
    for table in release.tables.values():
        for cell in table.cells:
            atoms = cell_atoms[(table.spec.name, cell.key)]
            if cell.value is None:
                withheld[str(cell.key)] = atoms
            else:
                shown.append((atoms, cell.value))
    ranges = enumerate_bounds({"ab": 2, "a": 6, "b": 6}, shown, withheld, limit=14)
    assert hidden_criterion_holds(ranges["joint"][1], 2, 5), ranges
    hidden = ("by_actor [exact sets]", ("A+B",))
    assert independent_bounds(records, release)[hidden] == ranges["joint"]
    assert audit_release(records, release)[hidden] == ranges["joint"]


def test_the_audit_rejects_a_release_that_gives_a_joint_count_away():
    records = [{"actor": ("A", "B")}] * 2 + [{"actor": ("A",)}] * 6 + [{"actor": ("B",)}] * 6
    by_actor = TableSpec("by_actor", ("actor",))
    naive = ProtectedRelease(
        5,
        {
            "by_actor": ProtectedTable(
                by_actor, (ProtectedCell(("A",), 8, SHOWN), ProtectedCell(("B",), 8, SHOWN))
            ),
            "totals": ProtectedTable(TOTAL, (ProtectedCell((), 14, SHOWN),)),
        },
    )
    assert audit_release(records, naive)[("by_actor [exact sets]", ("A+B",))] == (2, 2)
    with pytest.raises(UnsafeReleaseError, match="not shown"):
        assert_release_is_safe(records, naive)


def test_records_without_a_value_cannot_be_counted_from_the_total():
    # total - a = the records with no value: 2, a small count no table shows
    records = [{"cercle": "a"}] * 6 + [{"cercle": None}] * 2
    tables = (TableSpec("by_cercle", ("cercle",)), TOTAL)
    release = protect_counts(records, tables, threshold=5)
    assert release.table("by_cercle").value("a") is None
    assert release.table("total").value() == 8
    assert_release_is_safe(records, release)


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
