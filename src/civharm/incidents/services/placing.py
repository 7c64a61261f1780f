"""Persons -> incidents in the register: set each person's incident from the dates and places
of its victim records (civharm.linkage.placing). Reads no name; never moves a report.

Runs at the end of every linkage run, and for the persons a verdict or a split touches.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import pandas as pd
from django.db.models import Q

from civharm.incidents.models import Person, Report, VictimRecord
from civharm.incidents.services.merging import harm_types, update_column
from civharm.linkage.placing import (
    DAYS_APART,
    PLACE_RECORD_COLUMNS,
    PLACE_REPORT_COLUMNS,
    incidents_of_persons,
    place_victim_records,
)

BATCH = 2000  # rows per statement: under SQLite's and PostgreSQL's parameter limits


def place_persons(person_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Set Person.incident for `person_ids` (every person holding a victim record if None).

    Returns the placement's counts of victim records, and "persons_placed": how many of these
    persons now count towards an incident."""
    records = VictimRecord.objects.all()
    if person_ids is not None:
        wanted = sorted(set(person_ids))
        records = records.filter(person_id__in=wanted) if len(wanted) <= BATCH else records
    frame = _record_frame(records)
    if person_ids is not None:
        frame = frame[frame["person_id"].isin(wanted)]
    if frame.empty:
        return {"records": 0, "placed": 0, "ambiguous": 0, "no_incident": 0, "persons_placed": 0}
    placement = place_victim_records(frame, _report_frame(frame))
    chosen = incidents_of_persons(placement.records, frame[["record_id", "person_id"]])
    _save(chosen)
    return {**placement.counts(), "persons_placed": int(chosen["incident_id"].notna().sum())}


def persons_near(incident_ids: Iterable[int]) -> set[int]:
    """Persons whose victim records could fit these incidents: a record in one of their regions
    dated within DAYS_APART days of the span of their reports (more than fit: placing them
    again changes only those a verdict on these incidents changed, and may settle a tie)."""
    reports = Report.objects.filter(kind="event", incident_id__in=sorted(set(incident_ids)))
    rows = list(reports.values_list("admin1_pcode", "date_start", "date_end"))
    regions = sorted({region for region, start, _end in rows if region and start})
    if not regions:
        return set()
    first = min(start for _r, start, _e in rows if start) - timedelta(days=DAYS_APART)
    last = max(end or start for _r, start, end in rows if start) + timedelta(days=DAYS_APART)
    near = VictimRecord.objects.filter(
        report__admin1_pcode__in=regions, report__date_start__lte=last
    ).filter(Q(report__date_end__gte=first) | Q(report__date_start__gte=first))
    return set(near.values_list("person_id", flat=True))


def _record_frame(records: Any) -> pd.DataFrame:
    rows = records.order_by("report_id").values_list(
        "report_id", "person_id", "report__date_start", "report__date_end",
        "report__admin1_pcode", "report__admin2_pcode", "report__place_name", "report__harm",
    )  # fmt: skip
    frame = pd.DataFrame.from_records(
        [(*row[:7], _one_harm(row[7])) for row in rows.iterator(chunk_size=BATCH)],
        columns=["record_id", "person_id", *list(PLACE_RECORD_COLUMNS)[1:]],
    )
    return frame.astype({"record_id": "int64", "person_id": "int64"})


def _one_harm(harm: dict[str, Any] | None) -> str | None:
    """The harm a victim-list row names (one type per row), if it names one."""
    kinds = list(harm or {})
    return kinds[0] if len(kinds) == 1 else None


def _report_frame(records: pd.DataFrame) -> pd.DataFrame:
    """The event reports that could fit `records`: those of their regions (all, for records
    without one cannot be placed anyway), in the span of their dates give or take DAYS_APART."""
    reports = Report.objects.filter(kind="event", incident__isnull=False)
    regions = set(records["admin1_pcode"].dropna())
    starts = pd.to_datetime(records["event_date"], errors="coerce").dropna()
    ends = pd.to_datetime(records["event_date_end"], errors="coerce").dropna()
    if starts.empty or not regions:
        return pd.DataFrame(columns=list(PLACE_REPORT_COLUMNS))
    first = (starts.min() - pd.Timedelta(days=DAYS_APART)).date()
    last = (max(starts.max(), ends.max() if len(ends) else starts.max())).date()
    last += timedelta(days=DAYS_APART)
    reports = reports.filter(admin1_pcode__in=sorted(regions), date_start__lte=last).filter(
        Q(date_end__gte=first) | Q(date_end__isnull=True, date_start__gte=first)
    )
    rows = reports.values_list(
        "incident_id", "date_start", "date_end", "admin1_pcode", "admin2_pcode", "place_name",
        "harm",
    )  # fmt: skip
    return pd.DataFrame.from_records(
        [(*row[:6], harm_types(row[6])) for row in rows.iterator(chunk_size=BATCH)],
        columns=list(PLACE_REPORT_COLUMNS),
    )


def _save(chosen: pd.DataFrame) -> None:
    """Write the incidents that changed."""
    ids = chosen["person_id"].tolist()
    people = Person.objects.all() if len(ids) > BATCH else Person.objects.filter(pk__in=ids)
    now = dict(people.values_list("id", "incident_id"))
    wanted = (
        (int(person), None if pd.isna(incident) else int(incident))
        for person, incident in chosen[["person_id", "incident_id"]].itertuples(index=False)
    )
    update_column(Person, "incident", [(p, i) for p, i in wanted if now.get(p) != i])
