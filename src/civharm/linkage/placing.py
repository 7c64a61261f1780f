"""Victim records -> incidents: which incident a victim was harmed in, from the date and place
the list gives and those of the incidents' event reports. Never reads a name.

A record goes to the one incident that fits it best (its village named, then the nearest date,
then its cercle rather than only its region, then the harm it suffered among the incident's,
then the most precise date); when two incidents fit it equally well it goes to none. A person
goes to the incident most of its placed records went to, and to none when they are split evenly.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from civharm.linkage.frames import day_numbers
from civharm.linkage.names import fold, per_distinct

# Lists date a death a few days off (the day the body was found, the day it was reported),
# as the generated lists do (1-3 days). On 2,000 generated incidents (seeds 1 and 2), of the
# records placed, 0.977 and 0.968 were placed right with 3 days, 0.966 and 0.963 with 1 day,
# 0.976 and 0.968 with 5 (bench/linkage_placing.py 2000 SEED --days 1,3,5).
DAYS_APART = 3

# What a placement reads: one row per victim record, one per event report of an incident.
PLACE_RECORD_COLUMNS = {
    "record_id": "int64: the victim record",
    "event_date": "date: date of death, injury or abduction (the first day it may have been)",
    "event_date_end": "date: the last day it may have been (optional; = event_date if missing)",
    "admin1_pcode": "str: region P-code",
    "admin2_pcode": "str: cercle P-code",
    "place_name": "str: village or town as the list wrote it",
    "harm_type": "str: taxonomy key of the harm suffered, if the list says",
}
PLACE_REPORT_COLUMNS = {
    "incident_id": "int64: the incident the report counts towards",
    "date_start": "date: first possible day of the event",
    "date_end": "date: last possible day",
    "admin1_pcode": "str: region P-code",
    "admin2_pcode": "str: cercle P-code",
    "place_name": "str: the place as the source wrote it",
    "harm_types": "list[str]: taxonomy keys of the harm reported",
}


@dataclass(frozen=True)
class Placement:
    """records: record_id, incident_id (<NA> if none), candidates (incidents that fit at all)."""

    records: pd.DataFrame

    def counts(self) -> dict[str, int]:
        placed = self.records["incident_id"].notna()
        some = self.records["candidates"] > 0
        return {
            "records": len(self.records),
            "placed": int(placed.sum()),
            "ambiguous": int((~placed & some).sum()),
            "no_incident": int((~some).sum()),
        }


def place_victim_records(
    records: pd.DataFrame, reports: pd.DataFrame, *, days_apart: int = DAYS_APART
) -> Placement:
    """The incident of each victim record (PLACE_RECORD_COLUMNS) among those the event reports
    (PLACE_REPORT_COLUMNS) count towards. The pairs stay in DuckDB; one row per record returns.

    An incident fits a record when one of its reports shares the record's cercle (or, when
    either gives none, its region) and its date window comes within `days_apart` days of the
    record's (a list may date a death by its month only: every incident of that month fits).
    A record without a date or a place fits none. An incident fits as well as its best report.
    """
    victims = _victim_keys(records)
    events = _report_keys(reports)
    with duckdb.connect() as db:
        db.register("victim_rows", victims)
        db.register("event_rows", events)
        db.execute(_TYPED_VIEWS)  # a column all None would come in as a number
        placed = db.execute(_PLACE_SQL, {"days": days_apart}).df()
    out = victims[["record_id"]].merge(placed, on="record_id", how="left")
    out["incident_id"] = out["incident_id"].astype("Int64")
    out["candidates"] = out["candidates"].fillna(0).astype("int64")
    return Placement(out)


def incidents_of_persons(placed: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """person_id, incident_id (<NA> if none): the incident most of a person's placed records
    went to. `placed`: Placement.records; `persons`: record_id, person_id."""
    votes = persons.merge(placed[["record_id", "incident_id"]], on="record_id", how="left")
    votes = votes.dropna(subset=["incident_id"])
    tally = votes.groupby(["person_id", "incident_id"]).size().rename("votes").reset_index()
    tally = tally.sort_values(["person_id", "votes"], ascending=[True, False])
    first = tally.groupby("person_id").nth(0).set_index("person_id")
    second = tally.groupby("person_id").nth(1).set_index("person_id")["votes"]
    tied = first["votes"].eq(second.reindex(first.index))
    winner = first["incident_id"].where(~tied)
    out = pd.DataFrame({"person_id": persons["person_id"].drop_duplicates()})
    out["incident_id"] = out["person_id"].map(winner).astype("Int64")
    return out.reset_index(drop=True)


def _victim_keys(records: pd.DataFrame) -> pd.DataFrame:
    first = day_numbers(records["event_date"]).astype("float64")
    last = day_numbers(records.get("event_date_end", records["event_date"])).astype("float64")
    out = pd.DataFrame(
        {
            "record_id": records["record_id"].astype("int64"),
            "first_day": first,
            "last_day": last.fillna(first),
            "admin1": _text(records["admin1_pcode"]),
            "admin2": _text(records["admin2_pcode"]),
            "place_key": _folded(records["place_name"]),
            "harm_type": _text(records.get("harm_type", pd.Series(None, records.index))),
        }
    )
    return out


def _report_keys(reports: pd.DataFrame) -> pd.DataFrame:
    start = day_numbers(reports["date_start"]).astype("float64")
    end = day_numbers(reports["date_end"]).astype("float64").fillna(start)
    harm = reports.get("harm_types", pd.Series(None, reports.index))
    return pd.DataFrame(
        {
            "incident_id": reports["incident_id"].astype("int64"),
            "start_day": start,
            "end_day": end,
            "admin1": _text(reports["admin1_pcode"]),
            "admin2": _text(reports["admin2_pcode"]),
            "place_key": _folded(reports["place_name"]),
            # one text a DuckDB list can be split from: ",killed,injured,"
            "harm_keys": [f",{','.join(v)}," if v is not None and len(v) else None for v in harm],
        }
    ).dropna(subset=["start_day"])


def _text(values: pd.Series) -> pd.Series:
    text = values.astype("object")
    return text.where(text.notna() & text.astype(str).str.strip().ne(""), None)


def _folded(values: pd.Series) -> pd.Series:
    return per_distinct(_text(values), lambda text: fold(text) or None)


_TYPED_VIEWS = """
CREATE VIEW victims AS SELECT record_id::BIGINT AS record_id, first_day::DOUBLE AS first_day,
    greatest(last_day, first_day)::DOUBLE AS last_day, admin1::VARCHAR AS admin1,
    admin2::VARCHAR AS admin2, place_key::VARCHAR AS place_key,
    harm_type::VARCHAR AS harm_type FROM victim_rows;
CREATE VIEW events AS SELECT incident_id::BIGINT AS incident_id, start_day::DOUBLE AS start_day,
    greatest(end_day, start_day)::DOUBLE AS end_day, admin1::VARCHAR AS admin1,
    admin2::VARCHAR AS admin2, place_key::VARCHAR AS place_key,
    harm_keys::VARCHAR AS harm_keys FROM event_rows;
"""

# Candidates by cercle, and by region where either side gives no cercle: two joins, not one
# with an OR (which DuckDB cannot hash). Each (record, incident) keeps its best report; then
# each record its best incident, unless the next one fits exactly as well.
_FIT = """
    SELECT v.record_id, e.incident_id,
           CASE WHEN v.place_key = e.place_key THEN 0 ELSE 1 END AS place_rank,
           greatest(e.start_day - v.last_day, v.first_day - e.end_day, 0) AS gap,
           CASE WHEN {cercle} THEN 0 ELSE 1 END AS cercle_rank,
           CASE WHEN v.harm_type IS NULL OR e.harm_keys IS NULL
                  OR contains(e.harm_keys, ',' || v.harm_type || ',') THEN 0 ELSE 1 END
               AS harm_rank,
           e.end_day - e.start_day AS width
    FROM victims v JOIN events e ON {join}
    WHERE e.start_day <= v.last_day + $days AND v.first_day <= e.end_day + $days
"""
_ORDER = "place_rank, gap, cercle_rank, harm_rank, width"
_PLACE_SQL = f"""
WITH fits AS (
    {_FIT.format(cercle="TRUE", join="v.admin2 = e.admin2")}
    UNION ALL
    {
    _FIT.format(
        cercle="FALSE",
        join="v.admin1 = e.admin1 AND (v.admin2 IS NULL OR e.admin2 IS NULL)",
    )
}
),
per_incident AS (  -- an incident fits as well as its best-fitting report
    SELECT * FROM fits
    QUALIFY row_number() OVER (PARTITION BY record_id, incident_id ORDER BY {_ORDER}) = 1
),
ranked AS (
    SELECT *,
           row_number() OVER best AS rank,
           count(*) OVER (PARTITION BY record_id) AS candidates,
           lead(place_rank) OVER best AS next_place,
           lead(gap) OVER best AS next_gap,
           lead(cercle_rank) OVER best AS next_cercle,
           lead(harm_rank) OVER best AS next_harm,
           lead(width) OVER best AS next_width
    FROM per_incident
    WINDOW best AS (PARTITION BY record_id ORDER BY {_ORDER}, incident_id)
)
SELECT record_id, candidates,
       CASE WHEN next_place IS NULL OR place_rank <> next_place OR gap <> next_gap
                 OR cercle_rank <> next_cercle OR harm_rank <> next_harm
                 OR width <> next_width
            THEN incident_id END AS incident_id
FROM ranked WHERE rank = 1
"""  # noqa: S608 - our own fragments, no input
