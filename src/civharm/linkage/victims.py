"""Victim records -> persons: the same person named by several lists, in several spellings.

Names are compared as canonical parts (see names.py) with term-frequency adjustment, so a
shared common name (Diallo, Traoré) counts for less than a rare one; age, sex, date and
place tell homonyms of one massacre apart. Never writes a name anywhere.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from civharm.linkage.clustering import ClusterRules
from civharm.linkage.frames import day_numbers
from civharm.linkage.names import (
    add_name_columns,
    father_in_cell,
    father_key,
    fold,
    name_parts,
    per_distinct,
    spelling_skeleton,
)
from civharm.linkage.pipeline import (
    MIN_M_PROBABILITY,
    LinkageModel,
    Progress,
    random_pairs_for_u,
    run_model,
)
from civharm.linkage.results import LinkageResult, LinkageSettings


def _month(dates: pd.Series) -> pd.Series:
    """Months as numbers (year * 12 + month): a blocking key, compared only for equality."""
    return (dates.dt.year * 12 + dates.dt.month).astype("Int64")


def _plain_surname(full_name: str) -> str | None:
    """The family name as written (folded), before spelling rules: the word that became
    `surname`. Typing slips are compared here, where they are still one letter."""
    surname = name_parts(full_name).surname
    words = fold(full_name).split()
    close = [w for w in words if spelling_skeleton(w) == surname.rpartition("_")[2]]
    return close[0] if close else (words[-1] if words else None)


def prepare_victim_records(frame: pd.DataFrame) -> pd.DataFrame:
    """Name parts, day numbers and months: what the comparisons and blocking rules read."""
    out = add_name_columns(frame[[c for c in frame.columns if c != "truth"]])
    dates = pd.to_datetime(out["event_date"], errors="coerce")
    out["event_day"] = day_numbers(dates)
    out["event_month"] = _month(dates)
    # Two dates at most a few days apart share their month or their month two weeks later.
    out["event_month_later"] = _month(dates + pd.Timedelta(days=15))
    out["age"] = pd.to_numeric(out["age"], errors="coerce").astype("Int64")
    out["sex"] = out["sex"].where(out["sex"].isin(["m", "f"]), None)
    out["surname_initial"] = out["surname"].str[:1]
    out["given_initial"] = out["given_first"].str[:1]
    out["place_key"] = per_distinct(out["place_name"], fold)
    out["event_year"] = dates.dt.year.astype("Int64")
    out["surname_plain"] = per_distinct(out["full_name"], _plain_surname)
    out["father_key"] = _father_keys(out)
    keep = [
        "record_id",
        "source",
        "surname",
        "given",
        "given_first",
        "name_key",
        "surname_plain",
        "surname_initial",
        "given_initial",
        "event_year",
        "sex",
        "age",
        "event_day",
        "event_month",
        "event_month_later",
        "admin1_pcode",
        "admin2_pcode",
        "place_key",
        "father_key",
    ]
    out = out[keep].astype({"record_id": "int64"})
    for column in ("source", "admin1_pcode", "admin2_pcode"):
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out


def _father_keys(named: pd.DataFrame) -> pd.Series:
    """The father's name as compared (names.father_key): from the list's column for it (read
    by names.father_in_cell: "fils de X et de Y" is X, "inconnu" none), else from a filiation
    written with the name. `named`: the frame with add_name_columns' columns."""
    written = named["father_name"] if "father_name" in named else pd.Series(None, named.index)
    cells = per_distinct(written, father_in_cell)
    fathers = cells.where(cells.notna(), named["name_father"])
    keys = pd.Series(None, index=named.index, dtype="object")
    given = fathers.notna()
    if given.any():
        surnames = named.loc[given, "surname"].fillna("")
        keys[given] = [father_key(f, s) for f, s in zip(fathers[given], surnames, strict=True)]
    return keys.where(keys.notna(), None)


def _father_comparison() -> cl.CustomComparison:
    """The father's name, where both records give it: set as the name's levels are (lists
    write it as they write names). On generated lists that give it on every record, pairwise
    F1 rose from 0.895 to 0.947 at 10,000 records (bench/linkage_ceiling.py --father 1)."""
    return cl.CustomComparison(
        output_column_name="father",
        comparison_levels=[
            cll.NullLevel("father_key"),
            _set(cll.ExactMatchLevel("father_key"), 0.9),
            _set(cll.JaroWinklerLevel("father_key", 0.88), 0.07),
            _set(cll.ElseLevel(), 0.03),
        ],
    )


def _start(level: ComparisonLevelCreator, m: float) -> ComparisonLevelCreator:
    """A starting m that EM refines when there is enough data."""
    return level.configure(m_probability=m)


def _set(level: ComparisonLevelCreator, m: float) -> ComparisonLevelCreator:
    """An m set from what lists do to a field, never trained (see _place_comparison)."""
    return level.configure(m_probability=m, fix_m_probability=True)


def _name_comparison() -> cl.CustomComparison:
    """Name levels with m set from what lists do to a name, not trained by EM: within one
    massacre, relatives share a family name, place and date, so EM blocked on place and
    date learns "same family" instead of "same person"."""
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.Or(cll.NullLevel("surname"), cll.NullLevel("given")),
            cll.ExactMatchLevel("name_key")
            .configure(tf_adjustment_column="name_key")
            .configure(m_probability=0.62, fix_m_probability=True),
            # a middle name added or dropped by one list
            cll.And(cll.ExactMatchLevel("surname"), cll.ExactMatchLevel("given_first"))
            .configure(tf_adjustment_column="surname")
            .configure(m_probability=0.12, fix_m_probability=True),
            cll.And(cll.ExactMatchLevel("surname"), cll.JaroWinklerLevel("given_first", 0.9))
            .configure(tf_adjustment_column="surname")
            .configure(m_probability=0.06, fix_m_probability=True),
            # a slip in the family name
            cll.And(
                cll.ExactMatchLevel("given_first"), cll.JaroWinklerLevel("surname", 0.85)
            ).configure(m_probability=0.04, fix_m_probability=True),
            cll.ColumnsReversedLevel("surname", "given_first").configure(
                m_probability=0.02, fix_m_probability=True
            ),
            cll.JaroWinklerLevel("name_key", 0.94).configure(
                m_probability=0.05, fix_m_probability=True
            ),
            # a typing slip that the spelling rules amplified (Dfiallo -> dfialu, not jalu)
            cll.And(
                cll.ExactMatchLevel("given_first"), cll.JaroWinklerLevel("surname_plain", 0.9)
            ).configure(m_probability=0.03, fix_m_probability=True),
            cll.ExactMatchLevel("surname")
            .configure(tf_adjustment_column="surname")
            .configure(m_probability=0.02, fix_m_probability=True),
            cll.ElseLevel().configure(m_probability=0.01, fix_m_probability=True),
        ],
    )


def _age_comparison() -> cl.CustomComparison:
    """Set, not trained: blocked on the name, EM mixes namesakes of other ages into the
    matches. Lists give ages to within a few years; decades apart is a father and his son
    (docs/linkage.md, "What the review queue asks")."""
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age").configure(m_probability=0.45, fix_m_probability=True),
            cll.AbsoluteDifferenceLevel("age", 2).configure(
                m_probability=0.37, fix_m_probability=True
            ),
            cll.AbsoluteDifferenceLevel("age", 6).configure(
                m_probability=0.16, fix_m_probability=True
            ),
            cll.AbsoluteDifferenceLevel("age", 15).configure(
                m_probability=0.015, fix_m_probability=True
            ),
            cll.ElseLevel().configure(m_probability=0.005, fix_m_probability=True),
        ],
    )


def _date_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="event_day",
        comparison_levels=[
            cll.NullLevel("event_day"),
            _start(cll.ExactMatchLevel("event_day"), 0.45),
            _start(cll.AbsoluteDifferenceLevel("event_day", 3), 0.4),
            _start(cll.AbsoluteDifferenceLevel("event_day", 31), 0.1),
            _start(cll.ElseLevel(), 0.05),
        ],
    )


# One person's records agree on the cercle when both give one, and on the region: set from
# what lists do (a wrong or outdated cercle, the place of death against the home village).
SAME_CERCLE_WHEN_BOTH_GIVEN = 0.92
SAME_REGION = 0.97


def _place_comparison() -> cl.CustomComparison:
    """Not trained by EM: EM could learn the place only on pairs blocked on the name and the
    month, most of them namesakes of other cercles, and learned that one person's lists
    mostly disagree on the region (m of "else" 0.58 at 100,000 generated records, 0.94 at
    1,000,000); agreement then weighed less as registers grew, and recall fell with them
    (pairwise F1 0.817 at 1,000,000). The m values follow instead from SAME_CERCLE_WHEN_BOTH_GIVEN,
    SAME_REGION and how many records give a region but no cercle (fit_place_to_records);
    the values here are those for 6 % of records without a cercle."""
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.NullLevel("admin1_pcode"),
            _set(cll.ExactMatchLevel("admin2_pcode"), 0.81),
            _set(cll.And(cll.ExactMatchLevel("admin1_pcode"), cll.NullLevel("admin2_pcode")), 0.11),
            _set(cll.ExactMatchLevel("admin1_pcode"), 0.05),
            _set(cll.ElseLevel(), 0.03),
        ],
    )


def place_m_probabilities(share_without_cercle: float) -> tuple[float, float, float, float]:
    """m of (same cercle, same region with a cercle missing, same region, else) when a share
    q of the records that give a region give no cercle: both records give a cercle with
    probability (1 - q)², and one person's records then agree on it SAME_CERCLE_WHEN_BOTH_GIVEN
    of the time; otherwise only the region can agree."""
    both = (1 - share_without_cercle) ** 2
    return (
        both * SAME_CERCLE_WHEN_BOTH_GIVEN,
        (1 - both) * SAME_REGION,
        both * (SAME_REGION - SAME_CERCLE_WHEN_BOTH_GIVEN),
        1 - SAME_REGION,
    )


def fit_place_to_records(model: dict[str, Any], records: pd.DataFrame) -> dict[str, Any]:
    """The trained model with the place's m values for these records (place_m_probabilities):
    a list that gives only regions must not make agreement on the region count against a
    match, as fixed values made for lists that give cercles would."""
    with_region = records["admin1_pcode"].notna()
    without_cercle = (with_region & records["admin2_pcode"].isna()).sum()
    share = float(without_cercle / with_region.sum()) if with_region.any() else 0.0
    fitted = place_m_probabilities(share)
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] != "place":
            continue
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        for level, m in zip(levels, fitted, strict=True):
            level["m_probability"] = max(m, MIN_M_PROBABILITY)
    return model


def _village_comparison() -> cl.CustomComparison:
    """The village as written, only when a date is missing: it then tells two attacks in one
    cercle apart. With both dates known it would count the same incident twice (same day,
    same place), so it weighs nothing. Set, not trained: lists often give the town instead."""
    both_dated = cll.CustomLevel(
        "event_day_l IS NOT NULL AND event_day_r IS NOT NULL",
        label_for_charts="both dated: the village adds nothing",
    ).configure(is_null_level=True)
    return cl.CustomComparison(
        output_column_name="village",
        comparison_levels=[
            cll.NullLevel("place_key"),
            both_dated,
            cll.ExactMatchLevel("place_key").configure(m_probability=0.6, fix_m_probability=True),
            cll.JaroWinklerLevel("place_key", 0.88).configure(
                m_probability=0.15, fix_m_probability=True
            ),
            cll.ElseLevel().configure(m_probability=0.25, fix_m_probability=True),
        ],
    )


# Candidate pairs: records that agree exactly on all the columns of at least one line.
BLOCKING_KEYS: tuple[tuple[str, ...], ...] = (
    ("name_key", "admin2_pcode"),
    ("name_key", "event_month"),
    ("surname", "given_first", "admin2_pcode"),
    # a slip in the given name, then in the family name (dates a few days apart)
    ("surname", "admin2_pcode", "event_month"),
    ("surname", "admin2_pcode", "event_month_later"),
    ("given_first", "admin2_pcode", "event_month"),
    ("given_first", "admin2_pcode", "event_month_later"),
    # a missing date or place, with a slip somewhere in the name
    ("surname", "admin2_pcode", "age"),
    ("given_first", "admin2_pcode", "age"),
    ("surname", "given_initial", "admin2_pcode", "event_year"),
    ("surname", "admin1_pcode", "event_day"),
    ("given_first", "admin1_pcode", "event_day"),
    ("surname_initial", "admin2_pcode", "event_day", "age"),
)
# The same name in one region when one of the two records gives no cercle: with the cercle
# missing on one side and the date on the other, no line above could pair them (on 10,000
# generated records, seed 1: 102 of 719 missed pairs; 16 are linked with the rule). Only such
# pairs: the name and region alone would pair every namesake of a region.
WITHOUT_CERCLE = (
    "l.name_key = r.name_key AND l.admin1_pcode = r.admin1_pcode"
    " AND (l.admin2_pcode IS NULL OR r.admin2_pcode IS NULL)"
)


def blocking_rules() -> list[Any]:
    """Splink's rules for candidate pairs: each line of BLOCKING_KEYS, then WITHOUT_CERCLE."""
    return [*(block_on(*keys) for keys in BLOCKING_KEYS), WITHOUT_CERCLE]


def victim_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            _name_comparison(),
            cl.CustomComparison(
                output_column_name="sex",
                comparison_levels=[
                    cll.NullLevel("sex"),
                    _start(cll.ExactMatchLevel("sex"), 0.97),
                    _start(cll.ElseLevel(), 0.03),
                ],
            ),
            _age_comparison(),
            _date_comparison(),
            _place_comparison(),
            _village_comparison(),
            _father_comparison(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        # EM refines a few m values from good starting points: it settles in a few rounds.
        max_iterations=10,
        em_convergence=0.001,
    )


def train_victim_model(linker: Linker, records: int) -> None:
    """Prior from near-certain pairs, u from random pairs: all of them in one pass (Splink's
    default samples in ten chunks and may stop early, a query and a check per chunk): at
    10,000 records u took 0.20 s instead of 0.29 s, and pairwise F1 moved by -0.001 and
    +0.003 (seeds 1 and 2), +0.003 at 100,000."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "event_day", "admin2_pcode")], recall=0.4
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=random_pairs_for_u(records), seed=1, num_chunks=1
    )


def refine_victim_model(linker: Linker) -> None:
    """EM on pairs with the same name in one cercle: it trains sex and date; the name, age
    and place keep their set m. Never the name alone: across a large register that block
    grows with the square of the records."""
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_key", "admin2_pcode"), estimate_without_term_frequencies=True
    )


VICTIM_MODEL = LinkageModel(
    name="victim records -> persons",
    prepare=prepare_victim_records,
    settings=victim_settings,
    train=train_victim_model,
    refine=refine_victim_model,
    fit_to_records=fit_place_to_records,
    distinct_within_source=True,
    # One person has one age (give or take what lists get wrong). Sex is weighed by the model
    # but is no guard: one list's slip would split a person every other list agrees on, and
    # given names already tell women from men (measured: recall +0.006, precision unchanged).
    # Of two links scored alike, the closer in age and date joins first, not the older record.
    # A list known to repeat people repeats an entry (a form sent twice); two different
    # entries of one list are two people, namesakes above all (on generated lists whose NGO
    # list repeats 1 % of its rows, 10,000 records: pairwise precision 0.908 -> 0.940).
    rules=ClusterRules(
        max_age_span=8,
        closest_first=("age", "event_day"),
        # never the name: the register re-clusters after a person's verdict without reading
        # names; with it the gain was the same within 0.001
        same_entry=("sex", "age", "event_day", "admin2_pcode"),
    ),
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
