"""Victim records -> persons: the same person named by several lists, in several spellings.

Names are compared as canonical parts (see names.py) with term-frequency adjustment, so a
shared common name (Diallo, Traoré) counts for less than a rare one; age, sex, date and
place tell homonyms of one massacre apart. Never writes a name anywhere.
"""

from __future__ import annotations

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civharm.linkage.names import add_name_columns
from civharm.linkage.pipeline import LinkageModel, Progress, run_model
from civharm.linkage.results import LinkageResult, LinkageSettings

EPOCH = pd.Timestamp("1970-01-01")


def prepare_victim_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Name parts, day numbers and months: what the comparisons and blocking rules read."""
    out = add_name_columns(frame[[c for c in frame.columns if c != "truth"]])
    dates = pd.to_datetime(out["event_date"], errors="coerce")
    out["event_day"] = ((dates - EPOCH).dt.days).astype("Int64")
    out["event_month"] = dates.dt.strftime("%Y-%m").astype("object").where(dates.notna(), None)
    out["age"] = pd.to_numeric(out["age"], errors="coerce").astype("Int64")
    out["sex"] = out["sex"].where(out["sex"].isin(["m", "f"]), None)
    out["surname_initial"] = out["surname"].str[:1]
    keep = [
        "record_id",
        "source",
        "surname",
        "given",
        "given_first",
        "name_key",
        "surname_initial",
        "sex",
        "age",
        "event_day",
        "event_month",
        "admin1_pcode",
        "admin2_pcode",
    ]
    out = out[keep].astype({"record_id": "int64"})
    for column in ("source", "admin1_pcode", "admin2_pcode"):
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out


def _name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.Or(cll.NullLevel("surname"), cll.NullLevel("given")),
            cll.ExactMatchLevel("name_key").configure(tf_adjustment_column="name_key"),
            cll.And(
                cll.ExactMatchLevel("surname"), cll.JaroWinklerLevel("given_first", 0.92)
            ).configure(tf_adjustment_column="surname"),
            cll.ColumnsReversedLevel("surname", "given_first"),
            cll.JaroWinklerLevel("name_key", 0.9),
            cll.And(
                cll.JaroWinklerLevel("surname", 0.88), cll.JaroWinklerLevel("given_first", 0.88)
            ),
            cll.ExactMatchLevel("surname").configure(tf_adjustment_column="surname"),
            cll.ElseLevel(),
        ],
    )


def _age_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age"),
            cll.AbsoluteDifferenceLevel("age", 2),
            cll.AbsoluteDifferenceLevel("age", 6),
            cll.ElseLevel(),
        ],
    )


def _date_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="event_day",
        comparison_levels=[
            cll.NullLevel("event_day"),
            cll.ExactMatchLevel("event_day"),
            cll.AbsoluteDifferenceLevel("event_day", 3),
            cll.AbsoluteDifferenceLevel("event_day", 31),
            cll.ElseLevel(),
        ],
    )


def _place_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.And(cll.NullLevel("admin2_pcode"), cll.NullLevel("admin1_pcode")),
            cll.ExactMatchLevel("admin2_pcode"),
            cll.ExactMatchLevel("admin1_pcode"),
            cll.ElseLevel(),
        ],
    )


def victim_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            _name_comparison(),
            cl.ExactMatch("sex"),
            _age_comparison(),
            _date_comparison(),
            _place_comparison(),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_key", "admin1_pcode"),
            block_on("surname", "given_first", "event_month"),
            block_on("surname", "admin2_pcode", "event_day"),
            block_on("given_first", "admin2_pcode", "event_day"),
            block_on("surname_initial", "admin2_pcode", "event_day", "age"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_victim_model(linker: Linker) -> None:
    """Prior from near-certain pairs, u from random pairs, m by EM on two blockings."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "event_day", "admin2_pcode")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("admin2_pcode", "event_day"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key"), estimate_without_term_frequencies=True
    )


VICTIM_MODEL = LinkageModel(
    name="victim records -> persons",
    prepare=prepare_victim_records,
    settings=victim_settings,
    train=train_victim_model,
    distinct_within_source=True,
)


def link_victim_records(
    frame: pd.DataFrame,
    settings: LinkageSettings | None = None,
    *,
    decisions: pd.DataFrame | None = None,
    progress: Progress | None = None,
    db_api: object = None,
) -> LinkageResult:
    """Cluster victim records (VICTIM_RECORD_COLUMNS) into persons."""
    return run_model(
        frame,
        VICTIM_MODEL,
        settings or LinkageSettings(),
        decisions=decisions,
        progress=progress,
        db_api=db_api,
    )
