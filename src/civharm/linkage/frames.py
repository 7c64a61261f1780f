"""The frames linkage takes: one row per report (or victim record), with these columns.

Missing values are None/NaN. Extra columns are ignored. `record_id` is unique and stable
(the register uses the Report's primary key), so human decisions keyed on it survive re-runs.
"""

from __future__ import annotations

import pandas as pd

# Optional in either frame: which delivery of its source a record came in (the register: its
# import). Two entries of one delivery of a list (a dataset) are two people (events); one of
# another delivery may be the same entry corrected, so such a pair is still put to review.
# Without the column, all of a source is one delivery.
DELIVERY = "delivery"

# Dates become day numbers from here, in the linkage frames and in the register alike.
EPOCH = pd.Timestamp("1970-01-01")

# reports -> incidents
INCIDENT_REPORT_COLUMNS = {
    "record_id": "int64: unique, stable",
    "source": "str: the source (list, organisation, dataset) the report comes from",
    "date_start": "date: first possible day of the event",
    "date_end": "date: last possible day (= date_start for a day-precise report)",
    "date_precision": "str: day, week, month or year",
    "latitude": "float",
    "longitude": "float",
    # exact, near, admin3, admin2, admin1 or country; None if the source does not say. At
    # admin3 and coarser the coordinates are a unit's centre or main town, not the place.
    "geo_precision": "str: how precise the place is",
    "admin1_pcode": "str: region P-code",
    "admin2_pcode": "str: cercle P-code",
    "place_name": "str: the place as the source wrote it",
    "actors": "list[str]: taxonomy keys of the alleged perpetrators",
    "harm_types": "list[str]: taxonomy keys of the harm reported",
    "killed": "int: best count of people killed, if the report gives one",
    "interaction_context": "str: taxonomy key (checkpoint, ied, village_attack…)",
}

# victim records -> persons
VICTIM_RECORD_COLUMNS = {
    "record_id": "int64: unique, stable",
    "source": "str: the list the record comes from (one person appears once per list)",
    "full_name": "str: the name exactly as the list wrote it (any order, any spelling)",
    "sex": "str: m, f or None",
    "age": "int: age in years at the time of harm",
    "event_date": "date: date of death, injury or abduction",
    "admin1_pcode": "str: region P-code",
    "admin2_pcode": "str: cercle P-code",
    "place_name": "str: village or town as the list wrote it",
    # optional: a filiation written with the name ("Amadou DIALLO fils de Hamadoun") serves too
    "father_name": "str: the father's name as the list wrote it, if it gives one",
}


def day_numbers(dates: pd.Series) -> pd.Series:
    """Days since EPOCH (nullable integers): date arithmetic every SQL engine can do."""
    return ((pd.to_datetime(dates, errors="coerce") - EPOCH).dt.days).astype("Int64")
