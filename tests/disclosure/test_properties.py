"""Property tests: for random small registers, thresholds and sets of tables, no published
cell lies in 1..k-1, shown cells are true, every withheld cell passes the protection
criterion under an independent exact (integer programme) bound computation, and so does every
small hidden cell (incidents of exactly one set of alleged actors, which no table shows)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civharm.disclosure import SHOWN, TableSpec, audit_release, protect_counts
from tests.disclosure.independent_bounds import (
    atoms_of,
    counts_in,
    criterion_holds,
    exact_set,
    hidden_criterion_holds,
    independent_bounds,
)

HIDDEN = " [exact sets]"

POOL = (
    TableSpec("total", ()),
    TableSpec("by_region", ("region",)),
    TableSpec("by_harm", ("harm",)),
    TableSpec("by_region_harm", ("region", "harm")),
    TableSpec("by_actor", ("actor",)),
    TableSpec("by_region_actor", ("region", "actor")),
)

incident = st.fixed_dictionaries(
    {
        "region": st.sampled_from(["A", "B", "C"]),
        "harm": st.sampled_from(["killed", "injured", "abducted"]),
        "actor": st.frozensets(st.sampled_from(["fama", "jnim", "dna"]), max_size=2),
        "killed": st.integers(min_value=0, max_value=4),
    }
)
release_case = st.tuples(
    st.lists(incident, min_size=1, max_size=24),
    st.integers(min_value=2, max_value=6),
    st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True),
    st.sampled_from([None, "killed"]),
)


def true_value(records, name, key, measure):
    table = next(t for t in POOL if t.name == name)
    dimensions = sorted(table.dimensions)
    atoms = atoms_of(records, dimensions, measure)
    return sum(w for atom, w in atoms.items() if counts_in(atom, dimensions, table.dimensions, key))


def small_partition_cells(records, tables, k, measure):
    """Every exact-set cell in 1..k-1 of a table over actors, counted straight from the
    records (actor sets here hold zero, one or two actors; the region is single-valued)."""
    if all(len(r["actor"]) == 1 for r in records):
        return {}
    counts: dict[tuple, int] = {}
    for table in tables:
        if "actor" not in table.dimensions:
            continue
        for record in records:
            key = tuple(
                exact_set(frozenset(record["actor"])) if d == "actor" else record[d]
                for d in table.dimensions
            )
            cell = (table.name + HIDDEN, key)
            counts[cell] = counts.get(cell, 0) + (1 if measure is None else record[measure])
    return {cell: value for cell, value in counts.items() if 1 <= value < k}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(release_case)
def test_no_small_cell_is_shown_and_no_withheld_cell_can_be_narrowed(case):
    records, k, tables, measure = case
    release = protect_counts(records, tables, threshold=k, measure=measure)
    for table in release.tables.values():
        for cell in table.cells:
            truth = true_value(records, table.spec.name, cell.key, measure)
            if cell.status == SHOWN:
                assert cell.value == truth
                assert not 1 <= truth < k, (table.spec.name, cell.key, truth)
            else:
                assert truth >= 1  # zeros are never withheld
    bounds = independent_bounds(records, release, measure)
    for (name, key), (low, high) in bounds.items():
        if name.endswith(HIDDEN):
            continue
        truth = true_value(records, name, key, measure)
        assert low <= truth <= high
        assert criterion_holds(low, high, truth, k), (name, key, truth, low, high)
    for cell, truth in small_partition_cells(records, tables, k, measure).items():
        low, high = bounds[cell]  # the independent check bounds every small partition cell
        assert low <= truth <= high
        assert hidden_criterion_holds(high, truth, k), (cell, truth, low, high)
    assert audit_release(records, release, measure=measure) == bounds


def test_a_register_of_linked_one_way_tables_passes_the_independent_check():
    # Larger than the random cases: five one-way tables tied together only through the
    # records (a dashboard's shape), where LP optima are often fractional and the package
    # must find integer points; the independent integer programme confirms every range.
    import random

    rng = random.Random(6)
    cercles = [("ML01", "ML0101"), ("ML01", "ML0102"), ("ML02", "ML0201"), ("ML02", "ML0202")]
    records = []
    for _ in range(120):
        region, cercle = rng.choices(cercles, weights=[20, 1, 6, 1])[0]
        records.append(
            {
                "month": rng.choices(["2022-01", "2022-02", "2022-03", "2022-04"], [9, 9, 9, 1])[0],
                "region": region,
                "cercle": cercle,
                "actor": frozenset(
                    rng.sample(["fama", "jnim", "dna", "is_sahel"], rng.choice([1, 1, 2]))
                ),
                "context": rng.choices(["patrol", "search", "checkpoint", "air"], [9, 9, 3, 1])[0],
            }
        )
    tables = [POOL[0]] + [
        TableSpec(f"by_{d}", (d,)) for d in ("month", "region", "cercle", "actor", "context")
    ]
    release = protect_counts(records, tables, threshold=8)
    assert release.suppressed_count >= 6
    bounds = independent_bounds(records, release)
    for (name, key), (low, high) in bounds.items():
        if name == "by_actor" + HIDDEN:
            truth = sum(1 for r in records if exact_set(r["actor"]) == key[0])
            assert hidden_criterion_holds(high, truth, 8), (name, key, truth, low, high)
            continue
        truth = sum(
            1 for r in records if key[0] in (r[name[3:]] if name != "by_actor" else r["actor"])
        )
        assert criterion_holds(low, high, truth, 8), (name, key, truth, low, high)
    # every set of actors that occurs, pairs included, was bounded
    assert {("by_actor" + HIDDEN, (exact_set(r["actor"]),)) for r in records} <= set(bounds)
