"""Victim records -> persons on generated multi-source lists with known truth."""

from __future__ import annotations

import pandas as pd
import pytest

from civharm.linkage.metrics import bcubed, pairwise_scores
from civharm.linkage.results import LinkageSettings
from civharm.linkage.synthetic import generate_linkage_truth
from civharm.linkage.victims import link_victim_records, prepare_victim_records

# Regression floors, below what docs/linkage.md reports as measured on these seeds (F1 0.90
# pairwise at the default threshold). The target, 0.95, is NOT met on this generator:
# about one in seven pairs that agree on everything (same name, date, place) are namesakes.
MIN_F1 = 0.88
MIN_PRECISION = 0.9


@pytest.fixture(scope="module")
def truth():
    return generate_linkage_truth(400, seed=7)


@pytest.fixture(scope="module")
def linked(truth):
    settings = LinkageSettings(sources_with_duplicates=frozenset(truth.sources_with_duplicates))
    return link_victim_records(truth.victims, settings)


def _truth_clusters(victims: pd.DataFrame) -> pd.DataFrame:
    return victims[["record_id"]].assign(cluster_id=victims["true_person_id"].to_numpy())


def test_generated_lists_are_linked_into_persons_above_target(truth, linked) -> None:
    pairwise = pairwise_scores(linked.clusters, _truth_clusters(truth.victims))
    cubed = bcubed(linked.clusters, _truth_clusters(truth.victims))
    assert pairwise.f1 >= MIN_F1, pairwise
    assert pairwise.precision >= MIN_PRECISION, pairwise
    assert cubed.f1 >= MIN_F1, cubed


def test_every_record_is_in_exactly_one_cluster_named_by_its_smallest_record(truth, linked) -> None:
    clusters = linked.clusters
    assert sorted(clusters["record_id"]) == sorted(truth.victims["record_id"])
    smallest = clusters.groupby("cluster_id")["record_id"].min()
    assert (smallest.index == smallest.to_numpy()).all()


def test_one_list_never_names_one_person_twice(truth, linked) -> None:
    merged = linked.clusters.merge(truth.victims[["record_id", "source"]], on="record_id")
    repeats = merged.groupby(["cluster_id", "source"]).size()
    repeated_sources = set(repeats[repeats > 1].index.get_level_values("source"))
    assert repeated_sources <= set(truth.sources_with_duplicates)


def test_links_and_review_pairs_are_ordered_pairs_with_probabilities(linked) -> None:
    for pairs in (linked.links, linked.review_pairs):
        assert (pairs["record_id_l"] < pairs["record_id_r"]).all()
        assert pairs["match_probability"].between(0, 1).all()
    assert set(linked.review_pairs["reason"]) <= {"uncertain", "chained"}
    assert len(linked.review_pairs) <= LinkageSettings().max_review_pairs


def test_a_verdict_survives_a_rerun(truth, linked) -> None:
    pair = linked.links.iloc[0]
    decisions = pd.DataFrame(
        [(pair.record_id_l, pair.record_id_r, "no_match")],
        columns=["record_id_l", "record_id_r", "decision"],
    )
    again = link_victim_records(truth.victims, LinkageSettings(), decisions=decisions)
    cluster = again.clusters.set_index("record_id")["cluster_id"]
    assert cluster[pair.record_id_l] != cluster[pair.record_id_r]


def test_an_empty_frame_gives_an_empty_result() -> None:
    result = link_victim_records(pd.DataFrame(columns=["record_id", "source", "full_name"]))
    assert result.summary() == {"records": 0, "clusters": 0, "links": 0, "review_pairs": 0}


@pytest.mark.parametrize("seed", range(6))
def test_a_short_list_links_even_when_em_cannot_train(seed: int) -> None:
    victims = generate_linkage_truth(6, seed=seed).victims
    result = link_victim_records(victims)
    assert sorted(result.clusters["record_id"]) == sorted(victims["record_id"])


def test_a_first_list_where_no_two_records_share_a_name_links() -> None:
    """EM trains on pairs of one name in one cercle; with none, Splink raises its own
    exception (not a ValueError): the starting values stand and every record is a person."""
    victims = pd.DataFrame(
        {
            "record_id": [1, 2, 3],
            "source": ["ngo"] * 3,
            "full_name": ["TRAORE Sekou", "DIALLO Aminata", "COULIBALY Moussa"],
            "sex": ["m", "f", "m"],
            "age": [30, 24, 51],
            "event_date": ["2023-03-01"] * 3,
            "admin1_pcode": ["ML05"] * 3,
            "admin2_pcode": ["ML0502"] * 3,
            "place_name": ["Sofara"] * 3,
        }
    )
    result = link_victim_records(victims)
    assert sorted(result.clusters["cluster_id"]) == [1, 2, 3]


def test_a_list_that_gives_only_regions_still_links(truth) -> None:
    """Place weights follow how many records give no cercle: with the biggest list giving
    regions only, weights made for lists that give cercles found 46 % of the pairs (region
    agreement then counted against a match); fitted to the records, 65 %."""
    victims = truth.victims.copy()
    biggest = victims["source"].value_counts().index[0]
    victims.loc[victims["source"] == biggest, "admin2_pcode"] = None
    settings = LinkageSettings(sources_with_duplicates=frozenset(truth.sources_with_duplicates))
    result = link_victim_records(victims, settings)
    pairwise = pairwise_scores(result.clusters, _truth_clusters(victims))
    assert pairwise.recall >= 0.6, pairwise
    assert pairwise.precision >= MIN_PRECISION, pairwise


def test_place_weights_follow_the_share_of_records_without_a_cercle() -> None:
    from civharm.linkage.victims import place_m_probabilities

    for share in (0.0, 0.06, 0.3, 0.7, 1.0):
        assert sum(place_m_probabilities(share)) == pytest.approx(1.0)
    same_cercle, same_region_cercle_missing, *_ = place_m_probabilities(0.06)
    assert same_cercle > 0.8 and same_region_cercle_missing < 0.12
    same_cercle, same_region_cercle_missing, *_ = place_m_probabilities(0.7)
    assert same_cercle < same_region_cercle_missing


def _pairs_from_rules(records: pd.DataFrame, rules: list) -> int:
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from civharm.linkage.engines import close_engine, open_engine
    from civharm.linkage.victims import prepare_victim_records

    api = open_engine("duckdb")
    try:
        counted = count_comparisons_from_blocking_rules(
            api.register(prepare_victim_records(records)),
            blocking_rules=rules,
            link_type="dedupe_only",
            unique_id_column_name="record_id",
            record_sample_proportion=1.0,
        )
    finally:
        close_engine(api)
    return int(counted[-1]["cumulative_comparison_count"])


def test_a_record_without_a_cercle_meets_its_namesakes_of_the_region() -> None:
    """One list gives the cercle but no date, another the date but only the region: no
    line of BLOCKING_KEYS pairs them; WITHOUT_CERCLE does, and only when a cercle is
    missing (two records with different cercles stay apart)."""
    from splink import block_on

    from civharm.linkage.victims import BLOCKING_KEYS, blocking_rules

    records = pd.DataFrame(
        {
            "record_id": [1, 2, 3],
            "source": ["ngo", "un", "press"],
            "full_name": ["TRAORE Sekou", "Sékou Traoré", "Sekou Traore"],
            "sex": ["m", "m", "m"],
            "age": [None, 41, 23],
            "event_date": [None, "2023-03-01", "2023-07-20"],
            "admin1_pcode": ["ML05", "ML05", "ML05"],
            "admin2_pcode": ["ML0502", None, "ML0504"],
            "place_name": ["Sofara", None, "Boni"],
        }
    )
    assert _pairs_from_rules(records, [block_on(*keys) for keys in BLOCKING_KEYS]) == 0
    assert _pairs_from_rules(records, blocking_rules()) == 2  # 1-2 and 2-3, never 1-3


def test_the_fathers_name_tells_namesakes_apart() -> None:
    """The same generated lists, with and without the father's given name on every record:
    comparing it links people more surely (docs/performance.md has the figures at scale)."""
    from civharm.linkage.synthetic import DUPLICATE_SOURCE, victims_for_size

    scores = {}
    for share in (0.0, 1.0):
        victims = victims_for_size(3_000, seed=5, father_share=share)
        duplicated = frozenset({DUPLICATE_SOURCE} & set(victims["source"]))
        linked = link_victim_records(
            victims.drop(columns=["true_person_id", "true_incident_id"]),
            LinkageSettings(sources_with_duplicates=duplicated),
        )
        scores[share] = pairwise_scores(linked.clusters, _truth_clusters(victims))
    assert scores[1.0].f1 >= scores[0.0].f1 + 0.02
    assert scores[1.0].precision >= scores[0.0].precision


def test_the_father_is_read_from_its_column_or_from_a_filiation_in_the_name() -> None:
    victims = pd.DataFrame(
        {
            "record_id": [1, 2, 3, 4],
            "full_name": [
                "Amadou DIALLO fils de Hamadoun",
                "DIALLO Amadou",
                "Alhousseini Ag Mohamed",
                "Fatoumata TRAORE",
            ],
            "father_name": [None, "fils de HAMADOUN Diallo et de Awa", "Mohamed", "inconnu"],
        }
    ).assign(source="ngo", sex=None, age=None, event_date=None, admin1_pcode=None,
             admin2_pcode=None, place_name=None)  # fmt: skip
    prepared = prepare_victim_records(victims).set_index("record_id")
    # the family name the father shares with his son is dropped, whatever the capitals, and
    # the mother's name; "Ag Mohamed" already names the father; "inconnu" names nobody
    assert prepared["father_key"].tolist() == ["amadun", "amadun", None, None]
    blank = prepare_victim_records(victims.assign(father_name=""))  # a CSV's empty cells
    assert blank["father_key"].tolist() == ["amadun", None, None, None]
    assert prepared.loc[1, "name_key"] == prepared.loc[2, "name_key"]  # the filiation is no name


def _with_namesakes_of_one_massacre(victims: pd.DataFrame) -> pd.DataFrame:
    """The generated lists, and six generated records of one made-up massacre: the UN list
    names a man aged 18 and his cousin and namesake aged 20, and again the man of 18 in a
    row sent twice; the press names one of them without an age; the interviews give two
    more namesakes, aged 27 and 40."""
    first = int(victims["record_id"].max()) + 1
    massacre = pd.DataFrame(
        {
            "record_id": range(first, first + 6),
            "source": ["un_list", "un_list", "un_list", "press", "interviews", "interviews"],
            "full_name": ["Boubacar Sangare", "Boubacar Sangare", "Boubacar Sangare",
                          "SANGARE Boubacar", "Boubacar Sangaré", "Boubacar Sangaré"],
            "sex": ["m"] * 6,
            "age": pd.array([18, 20, 18, None, 27, 40], dtype="Int64"),
            "event_date": pd.to_datetime(["2022-03-02"] * 6),
            "admin1_pcode": ["ML05"] * 6,
            "admin2_pcode": ["ML0505"] * 6,
            "place_name": ["Ogossagou"] * 6,
        }
    )  # fmt: skip
    return pd.concat([victims.drop(columns=["true_person_id", "true_incident_id"]), massacre])


def _pairs(frame: pd.DataFrame) -> dict[tuple[int, int], float]:
    columns = ["record_id_l", "record_id_r", "match_probability"]
    return {(int(a), int(b)): float(p) for a, b, p in frame[columns].itertuples(index=False)}


def test_the_review_queue_leaves_out_two_entries_of_one_list(truth) -> None:
    """Two different entries of one list are two people: the queue does not ask about them,
    however alike the model finds them (it asked about the cousins before). A row sent twice
    is one entry: it is asked about."""
    victims = _with_namesakes_of_one_massacre(truth.victims)
    first = int(truth.victims["record_id"].max()) + 1
    young, cousin, sent_again, press = range(first, first + 4)
    settings = LinkageSettings(sources_with_duplicates=frozenset(truth.sources_with_duplicates))
    result = link_victim_records(victims, settings)
    review, linked = _pairs(result.review_pairs), _pairs(result.links)
    assert (young, sent_again) in review  # the list is not known to repeat itself
    assert (young, cousin) not in review and (cousin, sent_again) not in review
    assert not {(young, cousin), (cousin, sent_again)} & set(linked)
    assert {(young, press), (cousin, press)} & (set(review) | set(linked))
    cluster = result.clusters.set_index("record_id")["cluster_id"]
    assert cluster[young] != cluster[cousin]


def test_a_namesake_decades_apart_weighs_less_than_one_years_apart(truth) -> None:
    """The age's farthest level: 22 years apart is surer to be two people than 9 years apart
    (before, both were one level)."""
    victims = _with_namesakes_of_one_massacre(truth.victims)
    first = int(truth.victims["record_id"].max()) + 1
    young, near, far = first, first + 4, first + 5
    everything = LinkageSettings(review_threshold=1e-6, link_threshold=1.0, max_review_pairs=10**6)
    scored = _pairs(link_victim_records(victims, everything).review_pairs)
    odds = {pair: scored[pair] / (1 - scored[pair]) for pair in ((young, near), (young, far))}
    assert odds[(young, far)] * 3 < odds[(young, near)]  # the same level before: equal odds
