"""Pairwise and B-cubed scores on hand-built clusterings with known answers, and properties."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civharm.linkage.metrics import ClusterFrameError, Scores, bcubed, pairwise_scores


def clusters(labels: dict[int, object]) -> pd.DataFrame:
    return pd.DataFrame({"record_id": list(labels), "cluster_id": list(labels.values())})


TRUTH = clusters({1: "A", 2: "A", 3: "A", 4: "B", 5: "B"})
PREDICTED = clusters({1: 10, 2: 10, 3: 20, 4: 20, 5: 30})


def test_pairwise_counts_pairs_of_the_hand_built_example() -> None:
    # true pairs 12 13 23 45; predicted pairs 12 34; only 12 is right
    scores = pairwise_scores(PREDICTED, TRUTH)
    assert scores.precision == pytest.approx(1 / 2)
    assert scores.recall == pytest.approx(1 / 4)
    assert scores.f1 == pytest.approx(1 / 3)


def test_bcubed_averages_per_record_shares_of_the_hand_built_example() -> None:
    scores = bcubed(PREDICTED, TRUTH)
    assert scores.precision == pytest.approx(4 / 5)
    assert scores.recall == pytest.approx(8 / 15)
    assert scores.f1 == pytest.approx(0.64)


def test_scores_as_dict() -> None:
    assert Scores(0.5, 0.25, 1 / 3).as_dict() == {"precision": 0.5, "recall": 0.25, "f1": 1 / 3}


def test_records_the_prediction_omits_are_singletons() -> None:
    partial = clusters({1: 10, 2: 10})
    scores = pairwise_scores(partial, TRUTH)
    assert scores.precision == 1.0
    assert scores.recall == pytest.approx(1 / 4)
    assert bcubed(partial, TRUTH).precision == 1.0


def test_missing_cluster_id_is_a_singleton() -> None:
    predicted = clusters({1: 10, 2: 10, 3: None, 4: None, 5: None})
    assert pairwise_scores(predicted, TRUTH).precision == 1.0
    assert pairwise_scores(predicted, TRUTH).recall == pytest.approx(1 / 4)


def test_all_singleton_truth_and_prediction_score_one() -> None:
    singletons = clusters({1: 1, 2: 2, 3: 3})
    assert pairwise_scores(singletons, singletons) == Scores(1.0, 1.0, 1.0)
    assert bcubed(singletons, singletons) == Scores(1.0, 1.0, 1.0)


def test_one_big_cluster_against_singletons() -> None:
    truth = clusters({1: 1, 2: 2, 3: 3, 4: 4})
    lumped = clusters({1: 0, 2: 0, 3: 0, 4: 0})
    assert pairwise_scores(lumped, truth) == Scores(0.0, 1.0, 0.0)
    assert bcubed(lumped, truth).precision == pytest.approx(1 / 4)
    assert bcubed(lumped, truth).recall == 1.0


def test_empty_frames_score_one() -> None:
    empty = pd.DataFrame({"record_id": pd.Series([], dtype="int64"), "cluster_id": []})
    assert pairwise_scores(empty, empty) == Scores(1.0, 1.0, 1.0)
    assert bcubed(empty, empty) == Scores(1.0, 1.0, 1.0)


def test_predicted_records_unknown_to_the_truth_are_an_error() -> None:
    with pytest.raises(ClusterFrameError, match="not in truth"):
        pairwise_scores(clusters({1: 1, 99: 1}), TRUTH)


def test_repeated_record_or_missing_column_is_an_error() -> None:
    repeated = pd.DataFrame({"record_id": [1, 1], "cluster_id": [1, 2]})
    with pytest.raises(ClusterFrameError, match="more than once"):
        bcubed(repeated, TRUTH)
    with pytest.raises(ClusterFrameError, match="lacks column"):
        bcubed(TRUTH.rename(columns={"cluster_id": "incident"}), TRUTH)


def test_a_million_records_in_big_clusters_are_counted_without_enumerating_pairs() -> None:
    n = 1_000_000
    ids = np.arange(n)
    truth = pd.DataFrame({"record_id": ids, "cluster_id": ids // 1000})  # 1000 x 1000 records
    predicted = pd.DataFrame({"record_id": ids, "cluster_id": ids // 2000})  # pairs of them
    scores = pairwise_scores(predicted, truth)
    assert scores.recall == 1.0
    assert scores.precision == pytest.approx(2 * 999 / (2 * 1999), rel=1e-9)
    assert bcubed(predicted, truth).precision == pytest.approx(0.5)


labels = st.lists(st.integers(0, 4), max_size=25)


def frames(true_labels: list[int], predicted_labels: list[int]) -> tuple[pd.DataFrame, ...]:
    n = min(len(true_labels), len(predicted_labels))
    truth = pd.DataFrame({"record_id": range(n), "cluster_id": true_labels[:n]})
    predicted = pd.DataFrame({"record_id": range(n), "cluster_id": predicted_labels[:n]})
    return predicted, truth


def brute_force(predicted: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    def pairs(frame: pd.DataFrame) -> set[tuple[int, int]]:
        label = dict(zip(frame["record_id"], frame["cluster_id"], strict=True))
        return {(a, b) for a, b in combinations(sorted(label), 2) if label[a] == label[b]}

    p, t = pairs(predicted), pairs(truth)
    return (len(p & t) / len(p) if p else 1.0), (len(p & t) / len(t) if t else 1.0)


@given(labels, labels)
def test_scores_lie_in_0_1_and_pairwise_matches_brute_force(a: list[int], b: list[int]) -> None:
    predicted, truth = frames(a, b)
    for scores in (pairwise_scores(predicted, truth), bcubed(predicted, truth)):
        assert all(0.0 <= value <= 1.0 for value in scores.as_dict().values())
    pair = pairwise_scores(predicted, truth)
    assert (pair.precision, pair.recall) == pytest.approx(brute_force(predicted, truth))


@given(labels, labels)
def test_swapping_prediction_and_truth_swaps_precision_and_recall(
    a: list[int], b: list[int]
) -> None:
    predicted, truth = frames(a, b)
    for score in (pairwise_scores, bcubed):
        forward, backward = score(predicted, truth), score(truth, predicted)
        assert forward.precision == pytest.approx(backward.recall)
        assert forward.recall == pytest.approx(backward.precision)


@given(labels)
def test_perfect_relabelled_prediction_scores_one(a: list[int]) -> None:
    predicted, truth = frames(a, a)
    predicted["cluster_id"] = predicted["cluster_id"].map(lambda c: f"cluster-{c * 7}")
    assert pairwise_scores(predicted, truth) == Scores(1.0, 1.0, 1.0)
    assert bcubed(predicted, truth).as_dict() == pytest.approx(Scores(1.0, 1.0, 1.0).as_dict())


@given(labels)
def test_all_singletons_have_full_precision_and_one_cluster_full_recall(a: list[int]) -> None:
    _, truth = frames(a, a)
    singletons = truth.assign(cluster_id=truth["record_id"])
    lumped = truth.assign(cluster_id=0)
    for score in (pairwise_scores, bcubed):
        assert score(singletons, truth).precision == pytest.approx(1.0)
        assert score(lumped, truth).recall == pytest.approx(1.0)
