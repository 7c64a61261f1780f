"""Reports -> incidents: the same event told by several sources, with different dates,
places, tolls and attributions.

Dates are compared as windows (a month-precise report overlaps every day of its month),
places by distance and shared admin units, tolls allowing sources to differ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

from civharm.core.taxonomy import load_taxonomy
from civharm.core.text import fold
from civharm.linkage.clustering import ClusterRules
from civharm.linkage.frames import day_numbers
from civharm.linkage.pipeline import LinkageModel, Progress, run_model
from civharm.linkage.results import LinkageResult, LinkageSettings
from civharm.linkage.units import COARSE_PRECISIONS, at_a_main_town, names_only_its_unit


def _m(level: ComparisonLevelCreator, m: float) -> ComparisonLevelCreator:
    """An m probability set from how sources describe one event, fixed against EM: incidents
    come in bursts in one cercle, so EM's "match" class drifts to "same cercle, same month"."""
    return level.configure(m_probability=m, fix_m_probability=True)


def _keys(values: object) -> list[str] | None:
    if isinstance(values, np.ndarray):  # lists come back as arrays from Arrow
        values = values.tolist()
    if isinstance(values, (list, tuple)) and values:
        return sorted({str(v) for v in values if v})
    return None


# Naming no one in particular: compatible with any actor of their group.
_VAGUE_ACTORS = {
    "unidentified_armed_group",
    "unknown",
    "veo_unidentified",
    "community_militia_other",
}


def _actor_groups(keys: list[str]) -> list[str] | None:
    taxonomy = load_taxonomy()
    groups = {taxonomy.actor_category(key) for key in keys} - {None, "unknown"}
    return sorted(g for g in groups if g) or None


def prepare_incident_reports(frame: pd.DataFrame) -> pd.DataFrame:
    """Day numbers for the date window, folded place names, actor and harm keys as arrays."""
    out = pd.DataFrame({"record_id": frame["record_id"].astype("int64")})
    out["source"] = frame["source"].astype("object")
    out["start_day"] = day_numbers(frame["date_start"])
    end = day_numbers(frame["date_end"])
    out["end_day"] = end.fillna(out["start_day"])
    out["width"] = out["end_day"] - out["start_day"]
    out["start_month"] = (out["start_day"] // 30).astype("Int64")
    out["start_month_later"] = ((out["start_day"] + 15) // 30).astype("Int64")
    out["start_week"] = (out["start_day"] // 7).astype("Int64")
    out["start_year"] = pd.to_datetime(frame["date_start"], errors="coerce").dt.year.astype("Int64")
    for column in ("admin1_pcode", "admin2_pcode", "interaction_context"):
        out[column] = frame[column].astype("object").where(frame[column].notna(), None)
        out[column] = out[column].where(~out[column].isin(["", "unknown"]), None)
    _add_place(out, frame)
    actors = [_keys(v) or [] for v in frame["actors"]]
    out["actors"] = [[a for a in keys if a not in _VAGUE_ACTORS] or None for keys in actors]
    out["actor_groups"] = [_actor_groups(keys) for keys in actors]
    out["harm_types"] = [_keys(v) for v in frame["harm_types"]]
    out["killed"] = pd.to_numeric(frame["killed"], errors="coerce").astype("Int64")
    return out


def _add_place(out: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Point and place name, without what only restates the cercle or region (units.py): a
    point given at commune precision or coarser or at a main town of the report's own units,
    and a place name that only names its own cercle or region."""
    precision = frame["geo_precision"] if "geo_precision" in frame else pd.Series(None, frame.index)
    latitude = pd.to_numeric(frame["latitude"], errors="coerce").astype("float64")
    longitude = pd.to_numeric(frame["longitude"], errors="coerce").astype("float64")
    units = list(zip(out["admin1_pcode"], out["admin2_pcode"], strict=True))
    stand_in = [
        coarse or (lat == lat and lon == lon and at_a_main_town(lat, lon, *own))  # NaN != NaN
        for coarse, lat, lon, own in zip(
            precision.isin(COARSE_PRECISIONS), latitude, longitude, units, strict=True
        )
    ]
    out["latitude"] = latitude.mask(stand_in)
    out["longitude"] = longitude.mask(stand_in)
    out["place_key"] = [
        None if names_only_its_unit(name, *own) else fold(name)
        for name, own in zip(frame["place_name"], units, strict=True)
    ]


# How often two reports of one event agree, where both say: set, not trained (see _m). These
# are judgements, not measurements of real sources: SAME_CONTEXT is the rate our generated
# sources have (one source in ten or so takes an ambush for a patrol clash), and it was 0.6
# before generated reports showed contexts agreeing far more often than that.
SAME_DAY = 0.45
SAME_CERCLE = 0.88
SAME_TOLL = 0.45
SAME_CONTEXT = 0.85


def _date_window_comparison() -> cl.CustomComparison:
    """Windows, not days: a month-precise report overlaps every day of its month, but that
    says less than two reports of the same day (each level has its own chance u)."""
    overlap = "start_day_l <= end_day_r AND start_day_r <= end_day_l"
    levels = [
        ("start_day_l = start_day_r AND width_l <= 1 AND width_r <= 1", "same day", SAME_DAY),
        (
            "ABS(start_day_l - start_day_r) <= 3 AND width_l <= 7 AND width_r <= 7",
            "within 3 days",
            0.3,
        ),
        (f"{overlap} AND width_l <= 31 AND width_r <= 31", "windows of a month overlap", 0.12),
        (overlap, "wide windows overlap", 0.05),
        (
            "start_day_l <= end_day_r + 10 AND start_day_r <= end_day_l + 10",
            "within 10 days",
            0.05,
        ),
    ]
    return cl.CustomComparison(
        output_column_name="date_window",
        comparison_levels=[
            cll.NullLevel("start_day"),
            *(_m(cll.CustomLevel(sql, label_for_charts=label), m) for sql, label, m in levels),
            _m(cll.ElseLevel(), 0.03),
        ],
    )


def _toll_comparison() -> cl.CustomComparison:
    close = "ABS(killed_l - killed_r) <= 0.35 * GREATEST(killed_l, killed_r) + 1"
    return cl.CustomComparison(
        output_column_name="killed",
        comparison_levels=[
            cll.NullLevel("killed"),
            _m(cll.ExactMatchLevel("killed"), SAME_TOLL),
            _m(cll.CustomLevel(close, label_for_charts="tolls within about a third"), 0.4),
            _m(cll.ElseLevel(), 0.15),
        ],
    )


def _place_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="admin_units",
        comparison_levels=[
            cll.NullLevel("admin1_pcode"),
            _m(cll.ExactMatchLevel("admin2_pcode"), SAME_CERCLE),
            _m(cll.And(cll.ExactMatchLevel("admin1_pcode"), cll.NullLevel("admin2_pcode")), 0.08),
            _m(cll.ExactMatchLevel("admin1_pcode"), 0.03),
            _m(cll.ElseLevel(), 0.01),
        ],
    )


def _distance_comparison() -> cl.CustomComparison:
    # A source without the village gives the cercle's main town: tens of km off.
    levels = [(2, 0.55), (10, 0.2), (30, 0.15)]
    return cl.CustomComparison(
        output_column_name="distance",
        comparison_levels=[
            cll.Or(cll.NullLevel("latitude"), cll.NullLevel("longitude")),
            *(_m(cll.DistanceInKMLevel("latitude", "longitude", km), m) for km, m in levels),
            _m(cll.ElseLevel(), 0.1),
        ],
    )


def _simple(
    column: str, similar: list[tuple[float, float]], *, exact: float, other: float
) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            _m(cll.ExactMatchLevel(column), exact),
            *(_m(cll.JaroWinklerLevel(column, at), m) for at, m in similar),
            _m(cll.ElseLevel(), other),
        ],
    )


def _place_name_comparison() -> cl.CustomComparison:
    """The place as written, only when one of the two reports has no point: with both
    points known, the distance already says whether it is one place, and the name would
    count the same evidence twice."""
    both_placed = cll.CustomLevel(
        "latitude_l IS NOT NULL AND longitude_l IS NOT NULL"
        " AND latitude_r IS NOT NULL AND longitude_r IS NOT NULL",
        label_for_charts="both have a point: the name adds nothing",
    ).configure(is_null_level=True)
    return cl.CustomComparison(
        output_column_name="place_key",
        comparison_levels=[
            cll.NullLevel("place_key"),
            both_placed,
            _m(cll.ExactMatchLevel("place_key"), 0.45),
            _m(cll.JaroWinklerLevel("place_key", 0.95), 0.1),
            _m(cll.JaroWinklerLevel("place_key", 0.85), 0.1),
            _m(cll.ElseLevel(), 0.35),
        ],
    )


def _actor_comparison() -> cl.CustomComparison:
    """The same named actor, or at least the same kind (a VEO, the state's forces)."""
    return cl.CustomComparison(
        output_column_name="actors",
        comparison_levels=[
            cll.NullLevel("actor_groups"),
            _m(cll.ArrayIntersectLevel("actors", 1), 0.5),
            _m(cll.ArrayIntersectLevel("actor_groups", 1), 0.35),
            _m(cll.ElseLevel(), 0.15),
        ],
    )


def _shared_keys(column: str, shared: float) -> cl.CustomComparison:
    """An empty list is unknown, not a disagreement (the press: "unidentified armed men")."""
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            _m(cll.ArrayIntersectLevel(column, 1), shared),
            _m(cll.ElseLevel(), 1 - shared),
        ],
    )


def incident_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            _date_window_comparison(),
            _distance_comparison(),
            _place_comparison(),
            _place_name_comparison(),
            _actor_comparison(),
            _shared_keys("harm_types", 0.95),
            _toll_comparison(),
            _simple("interaction_context", [], exact=SAME_CONTEXT, other=1 - SAME_CONTEXT),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("admin2_pcode", "start_month"),
            block_on("admin2_pcode", "start_month_later"),
            block_on("admin1_pcode", "start_week"),
            block_on("admin1_pcode", "start_day"),
            block_on("place_key", "start_year"),
            block_on("admin2_pcode", "start_year", "killed"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def train_incident_model(linker: Linker, records: int) -> None:
    # The rule's recall, taken as the product of the set m values (missing values ignored):
    # about 0.18. On generated reports the rule finds 0.23-0.24 of the true pairs; 0.5, the
    # value before, halved the prior and lost a tenth of the true pairs there.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("admin2_pcode", "start_day", "killed")], recall=SAME_CERCLE * SAME_DAY * SAME_TOLL
    )
    # m is set (see _m); u is what agreement costs by chance, from random pairs.
    # Registers of events are small: a full million random pairs costs little here.
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)


INCIDENT_MODEL = LinkageModel(
    name="reports -> incidents",
    prepare=prepare_incident_reports,
    settings=incident_settings,
    train=train_incident_model,
    # A dataset (ACLED, UCDP, a UN list) tells each event once; sources that tell one event
    # many times (interviews, the press) are named in LinkageSettings.sources_with_duplicates.
    distinct_within_source=True,
    # Two events of one dataset on other days are two events: only one row sent twice (the
    # same date window) is put to review.
    rules=ClusterRules(max_window_gap_days=7, sent_twice=("start_day", "end_day")),
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
