"""Victim records -> incidents: the best-fitting incident by place and date, none on a tie."""

from __future__ import annotations

import pandas as pd
import pytest

from civharm.linkage.placing import incidents_of_persons, place_victim_records
from civharm.linkage.synthetic import generate_linkage_truth


def _records(*rows: tuple[object, ...]) -> pd.DataFrame:
    columns = ["record_id", "event_date", "admin1_pcode", "admin2_pcode", "place_name", "harm_type"]
    return pd.DataFrame(list(rows), columns=columns)


def _reports(*rows: tuple[object, ...]) -> pd.DataFrame:
    columns = [
        "incident_id", "date_start", "date_end", "admin1_pcode", "admin2_pcode", "place_name",
        "harm_types",
    ]  # fmt: skip
    return pd.DataFrame(list(rows), columns=columns)


def _placed(records: pd.DataFrame, reports: pd.DataFrame) -> dict[int, object]:
    placed = place_victim_records(records, reports).records
    pairs = zip(placed["record_id"], placed["incident_id"], strict=True)
    return {int(r): (None if pd.isna(i) else int(i)) for r, i in pairs}


MOPTI, BANKASS, KORO = "ML05", "ML0503", "ML0505"


def test_the_named_village_then_the_nearest_date_decide() -> None:
    reports = _reports(
        (1, "2022-03-10", None, MOPTI, BANKASS, "Ogossagou", ["killed"]),
        (2, "2022-03-11", None, MOPTI, BANKASS, "Sobane", ["killed"]),
        (3, "2022-03-20", None, MOPTI, BANKASS, None, ["killed"]),
    )
    records = _records(
        (10, "2022-03-11", MOPTI, BANKASS, "Ogossagou", "killed"),  # the village, a day off
        (11, "2022-03-11", MOPTI, BANKASS, None, "killed"),  # no village: the same day
        (12, "2022-03-19", MOPTI, BANKASS, "Diallassagou", None),  # another village: nearest
        (13, "2022-05-01", MOPTI, BANKASS, "Ogossagou", "killed"),  # weeks away: none fits
        (14, None, MOPTI, BANKASS, "Ogossagou", "killed"),  # no date: never placed
    )
    assert _placed(records, reports) == {10: 1, 11: 2, 12: 3, 13: None, 14: None}


def test_two_incidents_that_fit_alike_place_the_record_in_neither() -> None:
    reports = _reports(
        (1, "2022-03-10", None, MOPTI, BANKASS, None, ["killed"]),
        (2, "2022-03-10", None, MOPTI, BANKASS, None, ["killed"]),
        (2, "2022-03-30", None, MOPTI, BANKASS, None, ["killed"]),  # its other report
    )
    placed = place_victim_records(_records((10, "2022-03-10", MOPTI, BANKASS, None, None)), reports)
    assert placed.records["incident_id"].isna().all()
    assert placed.counts() == {"records": 1, "placed": 0, "ambiguous": 1, "no_incident": 0}


def test_a_day_precise_report_beats_a_month_and_the_harm_beats_both() -> None:
    reports = _reports(
        (1, "2022-03-01", "2022-03-31", MOPTI, BANKASS, None, ["killed"]),
        (2, "2022-03-10", "2022-03-10", MOPTI, BANKASS, None, ["killed"]),
        (3, "2022-03-10", "2022-03-10", MOPTI, BANKASS, None, ["abducted"]),
    )
    records = _records(
        (10, "2022-03-10", MOPTI, BANKASS, None, "killed"),
        (11, "2022-03-10", MOPTI, BANKASS, None, "abducted"),
    )
    assert _placed(records, reports) == {10: 2, 11: 3}


def test_a_list_without_cercles_is_placed_by_region_and_never_across_cercles() -> None:
    reports = _reports(
        (1, "2022-03-10", None, MOPTI, BANKASS, None, None),
        (2, "2022-03-10", None, MOPTI, None, None, None),  # a report that gives only the region
    )
    records = _records(
        (10, "2022-03-10", MOPTI, None, None, None),  # fits both: a tie
        (11, "2022-03-10", MOPTI, KORO, None, None),  # another cercle: only the region report
    )
    assert _placed(records, reports) == {10: None, 11: 2}


def test_a_record_dated_by_its_month_fits_every_incident_of_that_month() -> None:
    reports = _reports(
        (1, "2022-03-02", None, MOPTI, BANKASS, None, None),
        (2, "2022-03-20", None, MOPTI, KORO, None, None),
        (3, "2022-05-02", None, MOPTI, KORO, None, None),
    )
    records = _records(
        (10, "2022-03-01", MOPTI, BANKASS, None, None),  # March in Bankass: one incident
        (11, "2022-03-01", MOPTI, None, None, None),  # March in Mopti: two, a tie
        (12, "2022-01-01", MOPTI, KORO, None, None),  # 2022 in Koro: two, a tie
    ).assign(event_date_end=["2022-03-31", "2022-03-31", "2022-12-31"])
    assert _placed(records, reports) == {10: 1, 11: None, 12: None}


def test_an_incident_fits_as_well_as_its_best_report_not_a_mix_of_its_reports() -> None:
    reports = _reports(
        (1, "2022-03-13", None, MOPTI, BANKASS, "Sobane", None),  # the village, 3 days off
        (1, "2022-03-10", None, MOPTI, BANKASS, "Dioura", None),  # the day, another village
        (2, "2022-03-11", None, MOPTI, BANKASS, "Sobane", None),  # the village, a day off
    )
    records = _records((10, "2022-03-10", MOPTI, BANKASS, "Sobane", None))
    assert _placed(records, reports) == {10: 2}


def test_the_same_cercle_beats_a_report_that_gives_only_the_region() -> None:
    reports = _reports(
        (1, "2022-03-10", None, MOPTI, None, None, None),
        (2, "2022-03-10", None, MOPTI, BANKASS, None, None),
    )
    records = _records((10, "2022-03-10", MOPTI, BANKASS, None, None))
    assert _placed(records, reports) == {10: 2}


def test_nothing_to_place_into_places_nothing() -> None:
    records = _records((10, "2022-03-10", MOPTI, BANKASS, None, None))
    placed = place_victim_records(records, _reports())
    assert placed.counts() == {"records": 1, "placed": 0, "ambiguous": 0, "no_incident": 1}


def test_a_person_goes_where_most_of_its_records_went_and_nowhere_on_a_tie() -> None:
    placed = pd.DataFrame(
        {
            "record_id": [1, 2, 3, 4, 5, 6, 7],
            "incident_id": pd.array([8, 8, 9, 8, 9, None, None], dtype="Int64"),
        }
    )
    persons = pd.DataFrame({"record_id": [1, 2, 3, 4, 5, 6, 7], "person_id": [1, 1, 1, 2, 2, 2, 3]})
    chosen = incidents_of_persons(placed, persons)
    assert dict(zip(chosen.person_id, chosen.incident_id.astype(object), strict=True)) == {
        1: 8,
        2: pd.NA,
        3: pd.NA,
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_victims_go_to_their_true_incident(seed: int) -> None:
    """With each incident's reports grouped by the truth, as a perfect incident linkage would:
    on 300 generated incidents nearly every placed record is right, and most are placed
    (records without a date or region cannot be)."""
    truth = generate_linkage_truth(300, seed=seed)
    reports = truth.reports.assign(incident_id=truth.reports["true_incident_id"])
    placed = place_victim_records(truth.victims, reports).records
    placed = placed.merge(truth.victims[["record_id", "true_incident_id"]], on="record_id")
    some = placed[placed["incident_id"].notna()]
    right = (some["incident_id"] == some["true_incident_id"]).sum()
    assert right >= 0.96 * len(some)
    assert len(some) >= 0.75 * len(placed)
