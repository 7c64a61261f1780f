"""Guarded clustering: verdicts beat the model, one list names a person once, chains refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civharm.linkage import clustering
from civharm.linkage.clustering import ClusterRules, cluster_records


def _records(sources: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame({"record_id": list(sources), "source": list(sources.values())})


def _links(*pairs: tuple[int, int, float]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["record_id_l", "record_id_r", "match_probability"])


def _decisions(*rows: tuple[int, int, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "decision"])


def _clusters(clusters: pd.DataFrame) -> dict[int, int]:
    return dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))


def test_links_above_threshold_join_and_cluster_ids_are_the_smallest_member() -> None:
    clusters, chained = cluster_records(
        _records({1: "a", 2: "b", 3: "c", 4: "d"}),
        _links((2, 3, 0.99), (1, 2, 0.95), (3, 4, 0.4)),
        link_threshold=0.9,
        distinct_within_source=True,
    )
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 1, 4: 4}
    assert chained.empty


def test_two_records_of_one_list_never_join_and_the_weaker_link_goes_to_review() -> None:
    # Two "Amadou Diallo" on list a, one record without an age on list b links to both.
    clusters, chained = cluster_records(
        _records({1: "a", 2: "a", 3: "b"}),
        _links((1, 3, 0.97), (2, 3, 0.95)),
        link_threshold=0.9,
        distinct_within_source=True,
    )
    assert _clusters(clusters) == {1: 1, 2: 2, 3: 1}
    assert chained[["record_id_l", "record_id_r"]].values.tolist() == [[2, 3]]
    assert chained["reason"].tolist() == ["chained"]


def test_a_list_with_known_duplicates_may_name_a_person_twice() -> None:
    clusters, _ = cluster_records(
        _records({1: "a", 2: "a"}),
        _links((1, 2, 0.97)),
        link_threshold=0.9,
        distinct_within_source=True,
        sources_with_duplicates=frozenset({"a"}),
    )
    assert _clusters(clusters) == {1: 1, 2: 1}


def test_a_list_that_repeats_entries_holds_one_entry_per_person_not_two_namesakes() -> None:
    """List a repeats rows (a form sent twice): 1 and 2 are one entry sent twice; 3 is another
    "Amadou Diallo" of the same list and event, 40 years old. Record 4 (list b, no age) links
    to all three; with same_entry only the copies join it, and 3 stays apart for review."""
    records = _records({1: "a", 2: "a", 3: "a", 4: "b"}).assign(
        name_key=["amadu jalu"] * 4, age=[30, 30, 40, None]
    )
    links = _links((1, 2, 0.99), (1, 4, 0.97), (3, 4, 0.96), (2, 4, 0.95))
    common = {
        "link_threshold": 0.9,
        "distinct_within_source": True,
        "sources_with_duplicates": frozenset({"a"}),
    }
    rules = ClusterRules(same_entry=("name_key", "age"))
    clusters, chained = cluster_records(records, links, rules=rules, **common)
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 3, 4: 1}
    assert chained[["record_id_l", "record_id_r"]].values.tolist() == [[3, 4]]
    # without the rule (as for the press telling one event many times) anything may repeat
    clusters, chained = cluster_records(records, links, rules=ClusterRules(), **common)
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 1, 4: 1}
    assert chained.empty
    # a person's verdict still joins two entries of the list, and a copy of either then joins
    with_copy = pd.concat([records, _records({5: "a"}).assign(name_key=["amadu jalu"], age=[40])])
    more = pd.concat([links, _links((3, 5, 0.99))])
    verdict = _decisions((1, 3, "match"))
    clusters, chained = cluster_records(with_copy, more, verdict, rules=rules, **common)
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    # ... but a third entry still does not
    third = pd.concat([with_copy, _records({6: "a"}).assign(name_key=["amadu jalu"], age=[50])])
    clusters, chained = cluster_records(
        third, pd.concat([more, _links((4, 6, 0.91))]), verdict, rules=rules, **common
    )
    assert _clusters(clusters)[6] == 6
    assert [4, 6] in chained[["record_id_l", "record_id_r"]].values.tolist()
    # two entries that both lack a value are one entry where they agree on the rest
    missing = _records({1: "a", 2: "a"}).assign(name_key=["amadu jalu"] * 2, age=[None, None])
    clusters, _ = cluster_records(missing, _links((1, 2, 0.99)), rules=rules, **common)
    assert _clusters(clusters) == {1: 1, 2: 1}


def test_a_different_verdict_splits_even_a_certain_link_and_blocks_chains() -> None:
    clusters, _ = cluster_records(
        _records({1: "a", 2: "b", 3: "c"}),
        _links((1, 2, 0.99), (2, 3, 0.98)),
        _decisions((1, 3, "no_match")),
        link_threshold=0.9,
        distinct_within_source=True,
    )
    result = _clusters(clusters)
    assert result[1] != result[3]
    assert result[2] in (result[1], result[3])


def test_a_same_verdict_joins_what_the_model_missed_even_within_one_list() -> None:
    clusters, _ = cluster_records(
        _records({1: "a", 2: "a", 3: "b"}),
        _links((1, 3, 0.2)),
        _decisions((1, 2, "match")),
        link_threshold=0.9,
        distinct_within_source=True,
    )
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 3}


def test_the_latest_verdict_on_a_pair_wins() -> None:
    clusters, _ = cluster_records(
        _records({1: "a", 2: "b"}),
        _links((1, 2, 0.99)),
        _decisions((1, 2, "no_match"), (2, 1, "match")),
        link_threshold=0.9,
        distinct_within_source=True,
    )
    assert _clusters(clusters) == {1: 1, 2: 1}


def test_reports_weeks_apart_are_not_chained_into_one_event_through_a_third() -> None:
    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3],
            "source": ["press", "un", "ngo"],
            "start_day": [100, 92, 120],
            "end_day": [100, 129, 120],  # report 2 is only month-precise
        }
    )
    clusters, chained = cluster_records(
        records,
        _links((1, 2, 0.97), (2, 3, 0.95)),
        link_threshold=0.9,
        distinct_within_source=False,
        rules=ClusterRules(max_window_gap_days=7),
    )
    result = _clusters(clusters)
    assert result[1] == result[2] != result[3]
    assert chained[["record_id_l", "record_id_r"]].values.tolist() == [[2, 3]]


def test_one_person_has_one_sex_and_ages_within_the_span() -> None:
    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3, 4],
            "source": ["un", "press", "ngo", "interviews"],
            "age": [32, None, 50, 34],
            "sex": ["m", None, "m", "f"],
        }
    )

    def clustered(records: pd.DataFrame) -> tuple[dict[int, int], pd.DataFrame]:
        clusters, chained = cluster_records(
            records,
            _links((1, 2, 0.99), (2, 3, 0.98), (1, 4, 0.97)),
            link_threshold=0.9,
            distinct_within_source=True,
            rules=ClusterRules(max_age_span=8, one_sex=True),
        )
        return _clusters(clusters), chained

    result, chained = clustered(records)
    assert result[1] == result[2]
    assert len({result[1], result[3], result[4]}) == 3
    assert sorted(chained["record_id_l"]) == [1, 2]
    # a sex unknown as pandas' missing value, in a text column, is unknown, not an error
    assert clustered(records.astype({"sex": "string"}))[0] == result


def test_of_two_equally_strong_links_the_closer_in_age_and_day_joins_first() -> None:
    # Two namesakes on list a (ages 52 and 30); a record of list b (31) got the same score
    # with both: the closer one wins, not the one with the smaller record id.
    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3],
            "source": ["a", "a", "b"],
            "age": [52, 30, 31],
            "event_day": [100, 100, 100],
        }
    )
    clusters, chained = cluster_records(
        records,
        _links((1, 3, 0.97), (2, 3, 0.97)),
        link_threshold=0.9,
        distinct_within_source=True,
        rules=ClusterRules(closest_first=("age", "event_day")),
    )
    result = _clusters(clusters)
    assert result[2] == result[3] != result[1]
    assert chained[["record_id_l", "record_id_r"]].values.tolist() == [[1, 3]]
    assert ClusterRules(max_age_span=8, closest_first=("age",)).columns() == ["age"]


def _one_by_one(
    records: pd.DataFrame,
    links: pd.DataFrame,
    decisions: pd.DataFrame,
    options: dict,
) -> tuple[dict[int, int], list[list[int]]]:
    """Every link tried one by one, strongest first, as before groups that break no rule
    were joined at once: the reference the shortcut must agree with."""
    rules = options["rules"]
    ids = records["record_id"].astype("int64")
    strong = links[links["match_probability"] >= options["link_threshold"]]
    joined, refused = clustering._guarded_clusters(
        records,
        strong,
        clustering._gaps(strong, records, rules.closest_first),
        clustering.latest_decisions(decisions),
        options["distinct_within_source"],
        options["sources_with_duplicates"],
        rules,
    )
    return {i: joined.get(i, i) for i in ids.tolist()}, sorted([a, b] for a, b, _p in refused)


@pytest.mark.parametrize(
    "rules",
    [
        ClusterRules(),
        ClusterRules(max_age_span=8, closest_first=("age", "start_day")),
        ClusterRules(max_age_span=5, one_sex=True, same_entry=("sex", "age")),
        ClusterRules(max_window_gap_days=7),
        ClusterRules(max_window_gap_days=7, max_age_span=8, one_sex=True, closest_first=("age",)),
    ],
)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_joining_groups_that_break_no_rule_at_once_changes_nothing(
    rules: ClusterRules, data: st.DataObject
) -> None:
    n = data.draw(st.integers(2, 14))
    ids = data.draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True))
    absent = max(ids) + 1  # links and verdicts may name a record this run does not have

    def column(values: st.SearchStrategy) -> list:
        return data.draw(st.lists(values, min_size=n, max_size=n))

    records = pd.DataFrame(
        {
            "record_id": ids,
            "source": column(st.sampled_from(["a", "b", "c", "d", "1", 1])),
            "age": pd.array(column(st.one_of(st.none(), st.integers(24, 34))), dtype="Int64"),
            "sex": column(st.sampled_from(["m", "f", None])),
            "start_day": pd.array(
                column(st.one_of(st.none(), st.integers(100, 120))), dtype="Float64"
            ),
        }
    )
    records["end_day"] = records["start_day"] + column(st.sampled_from([0, 0, 6, 30]))
    anyone = st.sampled_from([*ids, absent])
    # links in either order, some twice with another score, some at the threshold exactly
    scores = st.sampled_from([0.5, 0.9, 0.95, 0.99])
    drawn = data.draw(st.lists(st.tuples(anyone, anyone, scores), max_size=3 * n))
    links = _links(*[(a, b, p) for a, b, p in drawn if a != b])
    verdicts = st.sampled_from(["match", "no_match", "unsure"])
    drawn = data.draw(st.lists(st.tuples(anyone, anyone, verdicts), max_size=4))
    decisions = _decisions(*[(a, b, v) for a, b, v in drawn if a != b])
    options = {
        "link_threshold": data.draw(st.sampled_from([0.9, 0.95])),
        "distinct_within_source": data.draw(st.booleans()),
        "sources_with_duplicates": data.draw(st.sampled_from([frozenset(), frozenset({"a"})])),
        "rules": rules,
    }
    clusters, chained = cluster_records(records, links, decisions, **options)
    expected_clusters, expected_refused = _one_by_one(records, links, decisions, options)
    assert _clusters(clusters) == expected_clusters
    assert sorted(chained[["record_id_l", "record_id_r"]].values.tolist()) == expected_refused


def test_a_long_chain_is_one_group_and_records_are_given_once() -> None:
    # A chain of 20,000 links in shuffled order (reports a day apart, each linked to the next)
    ids = np.random.default_rng(1).permutation(np.arange(1, 20_002))
    records = pd.DataFrame({"record_id": ids, "source": ids.astype(str)})
    links = pd.DataFrame(
        {"record_id_l": ids[:-1], "record_id_r": ids[1:], "match_probability": 0.99}
    )
    clusters, chained = cluster_records(
        records, links, link_threshold=0.9, distinct_within_source=True
    )
    assert set(clusters["cluster_id"]) == {1}
    assert chained.empty
    with pytest.raises(ValueError, match="record_id once"):
        cluster_records(
            pd.concat([records.head(2), records.head(1)]),
            links.head(0),
            link_threshold=0.9,
            distinct_within_source=True,
        )


def test_ages_exactly_the_span_apart_join_and_one_year_more_does_not() -> None:
    records = pd.DataFrame(
        {"record_id": [1, 2, 3, 4], "source": ["a", "b", "c", "d"], "age": [30, 38, 40, 49]}
    )
    clusters, chained = cluster_records(
        records,
        _links((1, 2, 0.99), (3, 4, 0.99)),
        link_threshold=0.9,
        distinct_within_source=True,
        rules=ClusterRules(max_age_span=8),
    )
    assert _clusters(clusters) == {1: 1, 2: 1, 3: 3, 4: 4}
    assert chained[["record_id_l", "record_id_r"]].values.tolist() == [[3, 4]]


def test_pairs_of_two_entries_of_one_source_are_not_for_review() -> None:
    """Two records of one source not known to repeat itself stay for review only as one
    entry twice: alike on every same_entry column, unknown alike only when unknown on both
    sides."""
    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3, 4, 5, 6],
            "source": ["ngo", "ngo", "ngo", "ngo", "un", "ngo"],
            "age": pd.array([30, 30, 36, None, 36, None], dtype="Int64"),
            "sex": ["m", "m", "m", "m", "m", "m"],
        }
    )
    pairs = _links((1, 2, 0.99), (1, 3, 0.98), (1, 4, 0.97), (3, 5, 0.7), (4, 6, 0.96))
    kept = clustering.without_two_entries_of_one_source(pairs, records, ("sex", "age"))
    assert list(zip(kept["record_id_l"], kept["record_id_r"], strict=True)) == [
        (1, 2),  # one entry sent twice
        (3, 5),  # two lists
        (4, 6),  # one entry, its age unknown both times
    ]
    every = clustering.without_two_entries_of_one_source(pairs, records, ())
    assert len(every) == len(pairs)  # no rule of entries (the press): every pair stays
    # a list known to repeat itself may hold one person twice with different details: the
    # queue is the only way its two entries can join, so every pair of it stays
    repeating = frozenset({"ngo"})
    kept = clustering.without_two_entries_of_one_source(pairs, records, ("sex", "age"), repeating)
    assert len(kept) == len(pairs)
    # the list sent again: record 3 came in another delivery, perhaps record 1 corrected
    delivered = records.assign(delivery=[1, 1, 2, 1, 1, 1])
    kept = clustering.without_two_entries_of_one_source(pairs, delivered, ("sex", "age"))
    assert list(zip(kept["record_id_l"], kept["record_id_r"], strict=True)) == [
        (1, 2), (1, 3), (3, 5), (4, 6)
    ]  # fmt: skip


def test_a_delivery_unknown_on_both_sides_is_one_delivery() -> None:
    records = pd.DataFrame(
        {
            "record_id": [1, 2],
            "source": ["ngo", "ngo"],
            "age": pd.array([30, 36], dtype="Int64"),
            "delivery": [None, None],
        }
    )
    pairs = _links((1, 2, 0.99))
    assert clustering.without_two_entries_of_one_source(pairs, records, ("age",)).empty
    known = records.assign(delivery=[7, 8])
    assert len(clustering.without_two_entries_of_one_source(pairs, known, ("age",))) == 1
