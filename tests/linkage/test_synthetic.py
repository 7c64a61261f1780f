"""The synthetic linkage truth: deterministic, on the frames contract, and as messy as real
lists are (homonyms, name orders, spellings, uneven capture, a list with duplicates)."""

from __future__ import annotations

import csv
from importlib import resources

import pandas as pd
import pytest

from civharm.core.taxonomy import load_taxonomy
from civharm.linkage.frames import INCIDENT_REPORT_COLUMNS, VICTIM_RECORD_COLUMNS
from civharm.linkage.names import name_parts
from civharm.linkage.synthetic import (
    DUPLICATE_SOURCE,
    SyntheticTruth,
    generate_linkage_truth,
    victims_for_size,
)


@pytest.fixture(scope="module")
def truth() -> SyntheticTruth:
    return generate_linkage_truth(600, seed=7)


def pack_codes(filename: str) -> set[str]:
    text = resources.files("civharm.country_packs").joinpath("mali", filename).read_text("utf-8")
    return {row["pcode"] for row in csv.DictReader(text.splitlines())}


def test_same_seed_same_frames_other_seed_other_frames(truth: SyntheticTruth) -> None:
    again = generate_linkage_truth(600, seed=7)
    pd.testing.assert_frame_equal(truth.reports, again.reports)
    pd.testing.assert_frame_equal(truth.victims, again.victims)
    other = generate_linkage_truth(600, seed=8)
    assert not truth.victims["full_name"].equals(other.victims["full_name"])


def test_frames_have_exactly_the_contract_columns_plus_truth(truth: SyntheticTruth) -> None:
    assert list(truth.reports.columns) == [*INCIDENT_REPORT_COLUMNS, "true_incident_id"]
    assert list(truth.victims.columns) == [
        *VICTIM_RECORD_COLUMNS, "true_person_id", "true_incident_id"
    ]  # fmt: skip
    for frame in (truth.reports, truth.victims):
        assert frame["record_id"].dtype == "int64"
        assert frame["record_id"].is_unique
    assert set(truth.victims["sex"].dropna()) == {"m", "f"}
    assert truth.victims["age"].dtype == "Int64"
    assert truth.reports["killed"].dtype == "Int64"
    assert set(truth.reports["date_precision"]) <= {"day", "week", "month", "year"}
    assert (truth.reports["date_start"] <= truth.reports["date_end"]).all()


def test_places_use_real_p_codes_and_dates_fall_in_2018_2024(truth: SyntheticTruth) -> None:
    regions, cercles = pack_codes("admin1.csv"), pack_codes("admin2.csv")
    for frame in (truth.reports, truth.victims):
        assert set(frame["admin1_pcode"]) <= regions
        assert set(frame["admin2_pcode"].dropna()) <= cercles
    dates = truth.reports["date_start"]
    assert dates.min() >= pd.Timestamp("2017-12-01")
    assert truth.reports["date_end"].max() <= pd.Timestamp("2025-01-31")


def test_keys_come_from_the_taxonomy(truth: SyntheticTruth) -> None:
    taxonomy = load_taxonomy("mali")
    actors = {a for listed in truth.reports["actors"].dropna() for a in listed}
    assert actors <= set(taxonomy.keys("actors"))
    harms = {h for listed in truth.reports["harm_types"] for h in listed}
    assert harms <= set(taxonomy.keys("harm_types"))
    contexts = set(truth.reports["interaction_context"].dropna())
    assert contexts <= set(taxonomy.keys("interaction_contexts"))
    assert truth.reports["actors"].isna().any()  # some sources name no perpetrator


def test_victims_share_their_incidents_place_and_date(truth: SyntheticTruth) -> None:
    victims = truth.victims.merge(truth.incidents, on="true_incident_id", suffixes=("", "_true"))
    placed = victims["admin2_pcode"].notna()
    assert (victims.loc[placed, "admin2_pcode"] == victims.loc[placed, "admin2_pcode_true"]).all()
    days = (victims["event_date"] - victims["date"]).dt.days.dropna()
    assert days.abs().max() <= 25
    assert (days == 0).mean() > 0.6


def test_incidents_cluster_in_the_same_cercle_and_weeks(truth: SyntheticTruth) -> None:
    incidents = truth.incidents.assign(week=truth.incidents["date"].dt.to_period("W"))
    per_cell = incidents.groupby(["admin2_pcode", "week"]).size()
    assert (per_cell >= 2).sum() >= 20


def test_homonyms_in_one_incident_are_different_people(truth: SyntheticTruth) -> None:
    persons = truth.persons.groupby(["true_incident_id", "full_name"])["true_person_id"].nunique()
    assert (persons > 1).sum() >= 10
    records = truth.victims.groupby(["source", "true_incident_id", "full_name"])
    assert (records["true_person_id"].nunique() > 1).any()


def test_families_share_a_surname_in_one_incident(truth: SyntheticTruth) -> None:
    persons = truth.persons.assign(surname=truth.persons["full_name"].str.split().str[-1])
    given = persons.groupby(["true_incident_id", "surname"])["full_name"].nunique()
    assert (given >= 3).sum() >= 10


def test_lists_write_names_differently(truth: SyntheticTruth) -> None:
    names = truth.victims["full_name"]
    surname_first = names.str.match(r"^[A-ZÀ-Ý]{2,} [A-ZÀ-Ý][a-zà-ÿ]")
    share = surname_first.groupby(truth.victims["source"]).mean()
    assert share["un_list"] > 0.5 > share["press"]
    assert names.str.contains(r"\bAg [A-Z]").any() and names.str.contains(r"\bag [A-Z]").any()
    assert names.str.contains("Ould|OULD").any()
    per_person = truth.victims.groupby("true_person_id")["full_name"].nunique()
    assert (per_person > 1).mean() > 0.3  # most people seen twice are written two ways
    accents = names.str.contains("[éèïë]")
    assert 0.05 < accents.mean() < 0.95


def test_sources_capture_unevenly(truth: SyntheticTruth) -> None:
    counts = truth.victims.groupby("source")["true_person_id"].nunique()
    assert counts["un_list"] > counts["ngo_list"] > counts["interviews"]
    assert counts["un_list"] > 2 * counts["press"]
    seen_by = truth.victims.groupby("true_person_id")["source"].nunique()
    assert (seen_by == 1).any() and (seen_by == 4).any()


def test_only_the_duplicate_source_lists_a_person_twice(truth: SyntheticTruth) -> None:
    assert truth.sources_with_duplicates == frozenset({DUPLICATE_SOURCE})
    repeated = truth.victims.groupby("source")["true_person_id"].apply(
        lambda s: s.duplicated().sum()
    )
    assert repeated[DUPLICATE_SOURCE] > 0
    assert repeated.drop(DUPLICATE_SOURCE).sum() == 0
    assert repeated[DUPLICATE_SOURCE] < 0.05 * (truth.victims["source"] == DUPLICATE_SOURCE).sum()
    reports = truth.reports.groupby("source")["true_incident_id"].apply(
        lambda s: s.duplicated().sum()
    )
    assert reports.drop(DUPLICATE_SOURCE).sum() == 0


def test_reports_of_one_incident_disagree(truth: SyntheticTruth) -> None:
    reports = truth.reports.groupby("true_incident_id")
    assert (reports["killed"].nunique() > 1).mean() > 0.1
    assert (reports["place_name"].nunique() > 1).any()
    assert (reports["date_start"].nunique() > 1).mean() > 0.1
    assert truth.reports["latitude"].isna().any() and truth.reports["latitude"].notna().any()


def test_more_sources_and_bad_arguments() -> None:
    six = generate_linkage_truth(50, seed=1, sources=6)
    assert six.victims["source"].nunique() == 6
    with pytest.raises(ValueError, match="sources"):
        generate_linkage_truth(50, sources=1)
    with pytest.raises(ValueError, match="n_incidents"):
        generate_linkage_truth(0)


def test_victims_for_size_gives_whole_incidents_close_to_the_size() -> None:
    victims = victims_for_size(5_000, seed=3)
    assert 4_500 <= len(victims) <= 5_000
    assert list(victims.columns)[: len(VICTIM_RECORD_COLUMNS)] == list(VICTIM_RECORD_COLUMNS)
    assert victims["record_id"].is_unique


def test_fathers_names_are_an_option_that_changes_nothing_else() -> None:
    """bench/linkage_ceiling.py asks for the father's given name on a share of the records;
    every other column must be what the lists give without it."""
    plain = victims_for_size(3_000, seed=4)
    with_fathers = victims_for_size(3_000, seed=4, father_share=0.5)
    with pytest.raises(ValueError, match="father_share"):
        victims_for_size(100, father_share=1.5)
    assert plain["father_name"].isna().all()
    pd.testing.assert_frame_equal(
        with_fathers.drop(columns="father_name"), plain.drop(columns="father_name")
    )
    written = with_fathers["father_name"]
    assert 0.4 < written.notna().mean() < 0.6
    # a person's records name one father (in the lists' spellings); namesakes mostly two
    keys = written.dropna().map(lambda text: name_parts(text).key)
    per_person = keys.groupby(with_fathers.loc[keys.index, "true_person_id"]).agg(
        ["size", "nunique"]
    )
    twice = per_person[per_person["size"] > 1]
    assert len(twice) > 100 and (twice["nunique"] == 1).mean() > 0.95
    by_name = with_fathers.loc[keys.index].assign(key=keys)
    namesakes = by_name.groupby(["true_incident_id", "full_name"])
    fathers_of_namesakes = namesakes.filter(lambda g: g["true_person_id"].nunique() > 1)
    assert (
        fathers_of_namesakes.groupby(["true_incident_id", "full_name"])["key"]
        .nunique()
        .gt(1)
        .mean()
        > 0.8
    )
