"""Persons -> incidents in the register: after linkage each person counts towards the incident
its victim records' dates and places fit, verdicts move it along, and nothing reads a name."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from civharm.accounts.models import AuditEntry
from civharm.demo import DemoTruth, generate_demo
from civharm.incidents.management.commands.demo import DEMO_SOURCES
from civharm.incidents.models import Incident, Person, Report, VictimRecord, incident_code
from civharm.incidents.services import verdicts
from civharm.incidents.services.exporting import person_rows
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.linking import run_linkage
from civharm.incidents.services.placing import persons_near, place_persons
from civharm.incidents.services.verdicts import decide, split_off
from tests.incidents.factories import ACLED_EVENTS, a_run_saving, write_acled, write_victims

pytestmark = pytest.mark.django_db
USER = "analyst-test"
SEED, SCALE = 2024, 0.3


@pytest.fixture
def linked_demo(tmp_path: Path) -> DemoTruth:
    """The demo's event sources and victim lists (generated people), linked."""
    truth = generate_demo(tmp_path / "demo", seed=SEED, scale=SCALE)
    for file_name, fmt, source, source_type in DEMO_SOURCES:
        if truth.path(file_name).exists():
            import_file(
                truth.path(file_name),
                fmt,
                source_name=source,
                source_type=source_type,
                in_background=False,
            )
    for kind in ("incident", "person"):
        run_linkage(kind, user=USER)
    return truth


def _true_events(truth: DemoTruth, kind: str) -> dict[int, str]:
    """Report id -> the generated event it is about, for rows of `kind` (event, victim)."""
    by_source = {source: file_name for file_name, _f, source, _t in DEMO_SOURCES}
    events: dict[int, str] = {}
    for report in Report.objects.filter(kind=kind).select_related("source"):
        rows = truth.sources[by_source[report.source.name]].rows
        row = next((r for r in rows if r.row == report.row_number), None)
        if row is not None and row.event_id:
            events[report.pk] = row.event_id
    return events


def _events_of_incidents(truth: DemoTruth) -> dict[int, set[str]]:
    """Incident id -> the generated events its reports are about."""
    held: dict[int, set[str]] = {}
    reports = dict(Report.objects.filter(kind="event").values_list("id", "incident_id"))
    for report_id, event in _true_events(truth, "event").items():
        held.setdefault(reports[report_id], set()).add(event)
    return held


def test_persons_count_towards_the_incident_of_their_event(linked_demo: DemoTruth) -> None:
    victims = _true_events(linked_demo, "victim")
    incidents = _events_of_incidents(linked_demo)
    outcome = Counter()
    for report_id, person_id in VictimRecord.objects.values_list("report_id", "person_id"):
        incident = Person.objects.get(pk=person_id).incident_id
        if incident is None:
            outcome["not placed"] += 1
        else:
            outcome["right" if victims[report_id] in incidents[incident] else "wrong"] += 1
    placed = outcome["right"] + outcome["wrong"]
    assert placed >= 0.6 * len(victims), outcome
    assert outcome["right"] >= 0.95 * placed, outcome
    live = Incident.objects.filter(merged_into=None)
    assert not Person.objects.exclude(incident=None).exclude(incident__in=live).exists()


def test_the_run_counts_the_persons_placed(linked_demo: DemoTruth) -> None:
    counts = run_linkage("person", user=USER)
    holding = Person.objects.filter(merged_into=None, records__isnull=False).distinct()
    assert counts["persons_placed"] == holding.exclude(incident=None).count() > 0


def test_placing_again_changes_nothing_and_reads_no_name(linked_demo: DemoTruth) -> None:
    before = dict(Person.objects.values_list("id", "incident_id"))
    reads = AuditEntry.objects.filter(action="read").count()
    counts = place_persons()
    assert dict(Person.objects.values_list("id", "incident_id")) == before
    assert AuditEntry.objects.filter(action="read").count() == reads  # no name was read
    assert counts["placed"] + counts["ambiguous"] + counts["no_incident"] == counts["records"]


def test_persons_follow_a_split_incident_and_its_merge_back(linked_demo: DemoTruth) -> None:
    person = next(
        p
        for p in Person.objects.filter(merged_into=None).exclude(incident=None).order_by("id")
        if Report.objects.filter(kind="event", incident_id=p.incident_id).count() == 2
    )
    first, second = Report.objects.filter(kind="event", incident=person.incident).order_by("id")[:2]
    split_off("incident", first.pk, user=USER)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.incident_id != second.incident_id
    decide("incident", first.pk, second.pk, "match", user=USER)
    first.refresh_from_db()
    second.refresh_from_db()
    person.refresh_from_db()
    assert first.incident_id == second.incident_id == person.incident_id
    live = Incident.objects.filter(merged_into=None)
    assert not Person.objects.exclude(incident=None).exclude(incident__in=live).exists()


def _record_dated_like_its_incident() -> VictimRecord:
    """A victim record of a person of several records whose own day and cercle are those of an
    event report of the person's incident."""
    for record in VictimRecord.objects.select_related("report", "person").order_by("report_id"):
        person = record.person
        if person.incident_id is None or person.records.count() < 2:
            continue
        report = record.report
        if Report.objects.filter(
            kind="event",
            incident_id=person.incident_id,
            date_start=report.date_start,
            admin2_pcode=report.admin2_pcode,
        ).exists():
            return record
    raise AssertionError("the demo has no such record")


def test_a_record_split_off_its_person_is_placed_on_its_own(linked_demo: DemoTruth) -> None:
    record = _record_dated_like_its_incident()
    incident = record.person.incident_id
    others = list(record.person.records.exclude(pk=record.pk))
    split_off("person", record.report_id, user=USER)
    record.refresh_from_db()
    for other in others:
        other.refresh_from_db()
        assert other.person_id != record.person_id
    assert record.person.incident_id == incident


NIONO = ACLED_EVENTS[0]  # Niono cercle, Ségou


def _niono_events(tmp_path: Path, days: list[str]) -> list[Report]:
    events = [(f"MLI9{i:04d}", day, *NIONO[2:]) for i, day in enumerate(days)]
    import_file(write_acled(tmp_path / "acled.csv", events), "acled", in_background=False)
    return list(Report.objects.filter(kind="event").order_by("id"))


def _niono_victims(tmp_path: Path, dates: list[str]) -> list[VictimRecord]:
    """Generated people of Niono, dated as a list writes it."""
    rows = [
        (str(n), "TESTNOM", f"Gen{n}", "M", "30", day, "Niono", "Niono", "Ségou")
        for n, day in enumerate(dates, 1)
    ]
    import_file(write_victims(tmp_path / "liste.csv", rows), "victims", in_background=False)
    return list(VictimRecord.objects.order_by("report_id"))


def test_a_victim_dated_by_month_or_year_is_not_placed_when_two_incidents_fit(
    tmp_path: Path,
) -> None:
    first, second = _niono_events(tmp_path, ["2022-03-02", "2022-06-20"])
    by_month, by_year, in_june = _niono_victims(tmp_path, ["mars 2022", "2022", "juin 2022"])
    place_persons()
    placed = {r.pk: Person.objects.get(records=r).incident_id for r in (by_month, by_year, in_june)}
    # March holds one incident, 2022 both, June the other
    assert placed == {
        by_month.pk: first.incident_id,
        by_year.pk: None,
        in_june.pk: second.incident_id,
    }


def test_a_person_merged_into_another_counts_only_through_it(tmp_path: Path) -> None:
    (event,) = _niono_events(tmp_path, ["2022-03-14"])
    one, other = _niono_victims(tmp_path, ["14/03/2022", "14/03/2022"])
    place_persons()
    decide("person", one.report_id, other.report_id, "match", user=USER)
    live = Person.objects.get(merged_into=None)
    merged = Person.objects.exclude(merged_into=None).get()
    assert (live.incident_id, merged.incident_id) == (event.incident_id, None)
    codes = [row["incident"] for row in person_rows(with_identities=False)[1]]
    assert codes == [incident_code(event.incident_id)]  # counted once: no row for the merged


def test_a_verdict_on_an_incident_of_many_reports_places_its_persons(tmp_path: Path) -> None:
    (report,) = _niono_events(tmp_path, ["2022-03-14"])
    (victim,) = _niono_victims(tmp_path, ["14/03/2022"])
    copied = {
        field.attname: getattr(report, field.attname)
        for field in Report._meta.concrete_fields
        if field.attname not in ("id", "record_id", "received_at")
    }
    days = [report.date_start + timedelta(days=n % 40) for n in range(1500)]
    Report.objects.bulk_create(
        [
            Report(**{**copied, "date_start": day, "date_end": day}, record_id=f"copy-{n}")
            for n, day in enumerate(days)
        ],
        batch_size=500,
    )
    assert persons_near([report.incident_id]) == {victim.person_id}
    place_persons()
    assert Person.objects.get(pk=victim.person_id).incident_id == report.incident_id
    split_off("incident", report.pk, user=USER)  # re-places the persons near it
    # the report and its copies of the same day are two incidents now: both fit, a tie
    assert Person.objects.get(pk=victim.person_id).incident_id is None


def test_a_run_on_incidents_alone_places_the_victims_of_an_event_imported_since(
    tmp_path: Path,
) -> None:
    _niono_events(tmp_path, ["2022-03-14"])
    (victim,) = _niono_victims(tmp_path, ["20/05/2022"])
    run_linkage("incident", user=USER)  # the first run places everyone: none fits in May
    assert Person.objects.get(pk=victim.person_id).incident_id is None
    later = tmp_path / "later"
    later.mkdir()
    may = [("MLI80001", "2022-05-20", *NIONO[2:])]
    import_file(write_acled(later / "acled.csv", may), "acled", in_background=False)
    run_linkage("incident", user=USER)  # the new event is alone in its incident: not moved
    event = Report.objects.get(record_id__endswith="MLI80001")
    assert Person.objects.get(pk=victim.person_id).incident_id == event.incident_id


def test_an_imported_victim_list_is_placed_before_any_linkage(tmp_path: Path) -> None:
    (event,) = _niono_events(tmp_path, ["2022-03-14"])
    placed, unplaced = _niono_victims(tmp_path, ["14/03/2022", "20/05/2022"])
    assert Person.objects.get(pk=placed.person_id).incident_id == event.incident_id
    assert Person.objects.get(pk=unplaced.person_id).incident_id is None


@pytest.mark.django_db(transaction=True)
def test_an_import_during_a_runs_save_leaves_its_persons_to_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import does not wait minutes for a run saving a large register: on PostgreSQL it
    waits VERDICT_WAIT_S for the person lock, then leaves the placing to a run."""
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the run's save holds the only write lock: no import goes on")
    _niono_events(tmp_path, ["2022-03-14"])
    monkeypatch.setattr(verdicts, "VERDICT_WAIT_S", 0.5)
    with a_run_saving("person"):
        (victim,) = _niono_victims(tmp_path, ["14/03/2022"])
    assert Person.objects.get(pk=victim.person_id).incident_id is None  # left to a run
    place_persons()
    assert Person.objects.get(pk=victim.person_id).incident_id is not None
