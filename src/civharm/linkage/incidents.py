"""Reports -> incidents: the same event told by several sources, with different dates,
places, tolls and attributions.

Dates are compared as windows (a month-precise report overlaps every day of its month),
places by distance and shared admin units, tolls allowing sources to differ.
"""

from __future__ import annotations

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from civharm.core.text import fold
from civharm.linkage.pipeline import LinkageModel, Progress, run_model
from civharm.linkage.results import LinkageResult, LinkageSettings

EPOCH = pd.Timestamp("1970-01-01")


def _day_numbers(column: pd.Series) -> pd.Series:
    dates = pd.to_datetime(column, errors="coerce")
    return ((dates - EPOCH).dt.days).astype("Int64")


def _keys(values: object) -> list[str] | None:
    if isinstance(values, (list, tuple)) and values:
        return sorted({str(v) for v in values if v})
    if hasattr(values, "tolist") and len(values):  # numpy arrays from Arrow
        return sorted({str(v) for v in values.tolist() if v})
    return None


def prepare_incident_reports(frame: pd.DataFrame) -> pd.DataFrame:
    """Day numbers for the date window, folded place names, actor and harm keys as arrays."""
    out = pd.DataFrame({"record_id": frame["record_id"].astype("int64")})
    out["source"] = frame["source"].astype("object")
    out["start_day"] = _day_numbers(frame["date_start"])
    end = _day_numbers(frame["date_end"])
    out["end_day"] = end.fillna(out["start_day"])
    out["start_month"] = (out["start_day"] // 30).astype("Int64")
    out["start_year"] = pd.to_datetime(frame["date_start"], errors="coerce").dt.year.astype("Int64")
    for column in ("latitude", "longitude"):
        out[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in ("admin1_pcode", "admin2_pcode", "interaction_context"):
        out[column] = frame[column].astype("object").where(frame[column].notna(), None)
        out[column] = out[column].where(out[column] != "", None)
    out["place_key"] = [fold(p) if isinstance(p, str) and p else None for p in frame["place_name"]]
    out["actors"] = [_keys(v) for v in frame["actors"]]
    out["harm_types"] = [_keys(v) for v in frame["harm_types"]]
    out["killed"] = pd.to_numeric(frame["killed"], errors="coerce").astype("Int64")
    return out


def _date_window_comparison() -> cl.CustomComparison:
    def overlap(days: int) -> cll.CustomLevel:
        sql = (
            f"start_day_l <= end_day_r + {days} AND start_day_r <= end_day_l + {days}"
            if days
            else "start_day_l <= end_day_r AND start_day_r <= end_day_l"
        )
        label = f"date windows within {days} days" if days else "date windows overlap"
        return cll.CustomLevel(sql, label_for_charts=label)

    return cl.CustomComparison(
        output_column_name="date_window",
        comparison_levels=[
            cll.NullLevel("start_day"),
            cll.ExactMatchLevel("start_day"),
            overlap(0),
            overlap(3),
            overlap(10),
            cll.ElseLevel(),
        ],
    )


def _toll_comparison() -> cl.CustomComparison:
    close = "ABS(killed_l - killed_r) <= 0.35 * GREATEST(killed_l, killed_r) + 1"
    return cl.CustomComparison(
        output_column_name="killed",
        comparison_levels=[
            cll.NullLevel("killed"),
            cll.ExactMatchLevel("killed"),
            cll.CustomLevel(close, label_for_charts="tolls within about a third"),
            cll.ElseLevel(),
        ],
    )


def _place_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="admin_units",
        comparison_levels=[
            cll.And(cll.NullLevel("admin2_pcode"), cll.NullLevel("admin1_pcode")),
            cll.ExactMatchLevel("admin2_pcode"),
            cll.ExactMatchLevel("admin1_pcode"),
            cll.ElseLevel(),
        ],
    )


def incident_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            _date_window_comparison(),
            cl.DistanceInKMAtThresholds("latitude", "longitude", [2, 10, 30]),
            _place_comparison(),
            cl.JaroWinklerAtThresholds("place_key", [0.95, 0.85]),
            cl.ArrayIntersectAtSizes("actors", [1]),
            cl.ArrayIntersectAtSizes("harm_types", [1]),
            _toll_comparison(),
            cl.ExactMatch("interaction_context"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("admin2_pcode", "start_month"),
            block_on("admin1_pcode", "start_day"),
            block_on("place_key", "start_year"),
            block_on("admin2_pcode", "start_year", "killed"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_incident_model(linker: Linker) -> None:
    linker.training.estimate_probability_two_random_records_match(
        [block_on("admin2_pcode", "start_day", "killed")], recall=0.5
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("admin2_pcode", "start_month"), record_sample_proportion=1.0
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("place_key"), record_sample_proportion=1.0
    )


INCIDENT_MODEL = LinkageModel(
    name="reports -> incidents",
    prepare=prepare_incident_reports,
    settings=incident_settings,
    train=train_incident_model,
    # A press agency or a UN team often files two reports of one event.
    distinct_within_source=False,
)


def link_incident_reports(
    frame: pd.DataFrame,
    settings: LinkageSettings | None = None,
    *,
    decisions: pd.DataFrame | None = None,
    progress: Progress | None = None,
    db_api: object = None,
) -> LinkageResult:
    """Cluster event reports (INCIDENT_REPORT_COLUMNS) into incidents."""
    return run_model(
        frame,
        INCIDENT_MODEL,
        settings or LinkageSettings(),
        decisions=decisions,
        progress=progress,
        db_api=db_api,
    )
