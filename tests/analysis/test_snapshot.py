"""The DuckDB snapshot of the register: an incremental refresh after imports, merges, edits,
splits and deletions holds exactly what a full rebuild holds, and the process-wide copy
refreshes when stale."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civharm.analysis.dashboard import DashboardFilter, dashboard
from civharm.analysis.snapshot import (
    RegisterSnapshot,
    forget_register_snapshot,
    register_snapshot,
)
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator, Report
from civharm.incidents.review import grade
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.manual_reports import (
    ManualReport,
    file_manual_report,
    web_entry_source,
)
from civharm.incidents.services.merging import recompute_incidents
from civharm.incidents.services.verdicts import decide, split_off
from tests.incidents.factories import write_acled
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db
TABLES = {
    "incidents": "SELECT * FROM incidents ORDER BY ALL",
    "harm": "SELECT * FROM harm ORDER BY ALL",
    "perpetrators": "SELECT * FROM perpetrators ORDER BY ALL",
}


def contents(snapshot: RegisterSnapshot) -> dict[str, Any]:
    """The three tables, and the dashboard read from the fact tables (their codes may be
    numbered differently, what they decode to may not)."""
    found: dict[str, Any] = {
        name: snapshot.connection.execute(sql).fetchall() for name, sql in TABLES.items()
    }
    for harm_type in ("killed", "injured"):
        everything = DashboardFilter(include_discounted=True)
        found[f"dashboard {harm_type}"] = dashboard(
            snapshot.connection, everything, harm_type=harm_type
        )
    return found


def rebuilt() -> dict[str, Any]:
    fresh = RegisterSnapshot()
    try:
        fresh.refresh()
        return contents(fresh)
    finally:
        fresh.close()


def assert_matches_register(snapshot: RegisterSnapshot) -> None:
    """Equal to a full rebuild, and to what the register counts through the ORM."""
    copied = contents(snapshot)
    assert copied == rebuilt()
    live = Incident.objects.filter(merged_into=None)
    assert len(copied["incidents"]) == live.count()
    assert len(copied["harm"]) == HarmCount.objects.filter(incident__merged_into=None).count()
    perpetrators = IncidentPerpetrator.objects.filter(incident__merged_into=None)
    assert len(copied["perpetrators"]) == perpetrators.count()


@pytest.fixture
def acled_events(tmp_path: Path) -> None:
    import_file(write_acled(tmp_path / "acled.csv"), "acled", in_background=False)


def acled_report(event_id: str) -> Report:
    return Report.objects.get(source__name="ACLED", record_id__endswith=event_id)


def test_refresh_after_import_merge_edit_and_split_equals_a_full_rebuild(
    acled_events: None,
) -> None:
    snapshot = RegisterSnapshot()
    first = snapshot.refresh()
    assert (first.added, first.changed, first.removed, first.full) == (3, 0, 0, True)
    assert_matches_register(snapshot)

    niono, bandiagara = acled_report("90001"), acled_report("90002")
    decide("incident", niono.pk, bandiagara.pk, "match", user="analyst-test")  # linkage merge
    merged = snapshot.refresh()
    assert (merged.removed, merged.added, merged.full) == (1, 0, False)
    assert merged.changed == 1  # the incident that took the reports counts differently
    assert_matches_register(snapshot)

    niono.refresh_from_db()
    grade(Incident.objects.get(pk=niono.incident_id), make_user("analyst"), "confirmed")
    edited = snapshot.refresh()
    assert (edited.added, edited.changed, edited.removed) == (0, 1, 0)
    assert_matches_register(snapshot)

    split_off("incident", bandiagara.pk, user="analyst-test")  # revives the merged incident
    split = snapshot.refresh()
    assert (split.added, split.removed) == (1, 0)
    assert_matches_register(snapshot)


def test_a_web_report_and_a_quiet_refresh(acled_events: None) -> None:
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    entry = ManualReport(
        payload={"date": "2023-02-11", "place": "Djenné", "killed": "4", "injured": "2"},
        perpetrators=["dozo_militia"],
        interaction_context="attack_on_village",
    )
    file_manual_report(entry, web_entry_source("Saisie test", "interview"), actor="clerk")
    filed = snapshot.refresh()
    assert (filed.added, filed.changed, filed.removed, filed.full) == (1, 0, 0, False)
    assert_matches_register(snapshot)
    row = snapshot.connection.execute(
        "SELECT p.actor_key, p.actor_category, h.best FROM perpetrators p "
        "JOIN harm h USING (incident_id) WHERE h.harm_type = 'killed' "
        "AND incident_id = (SELECT max(id) FROM incidents)"
    ).fetchall()[0]
    assert row == ("dozo_militia", "community_militia", 4)
    quiet = snapshot.refresh()
    assert (quiet.added, quiet.changed, quiet.removed, quiet.full) == (0, 0, 0, False)


def test_counts_and_perpetrators_replaced_without_touching_the_incident_are_seen(
    acled_events: None,
) -> None:
    """Linkage replaces HarmCount and IncidentPerpetrator rows and leaves updated_at alone."""
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    incident = Incident.objects.get(pk=acled_report("90003").incident_id)
    before = incident.updated_at
    HarmCount.objects.filter(incident=incident).delete()
    IncidentPerpetrator.objects.create(
        incident=incident, actor=Actor.objects.get(key="jnim"), attribution_status="claimed"
    )
    assert Incident.objects.get(pk=incident.pk).updated_at == before
    changed = snapshot.refresh()
    assert (changed.changed, changed.full) == (1, False)
    assert_matches_register(snapshot)
    recompute_incidents([incident.pk])  # from its report again: counts back, jnim dropped
    assert snapshot.refresh().changed == 1
    assert_matches_register(snapshot)


def test_a_register_that_started_empty_keeps_its_watermark() -> None:
    snapshot = RegisterSnapshot()
    assert snapshot.refresh().added == 0
    incident = Incident.objects.create(admin1_pcode="ML05", admin1_name="Mopti")
    assert snapshot.refresh().added == 1
    Incident.objects.create(admin1_pcode="ML04", admin1_name="Ségou")  # moves the watermark
    snapshot.refresh()
    incident.assessment_grade = "fair"
    incident.save()
    assert snapshot.refresh().changed == 1
    assert_matches_register(snapshot)


def test_deleted_incidents_leave_the_snapshot(acled_events: None) -> None:
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    doomed = acled_report("90002").incident_id
    Report.objects.filter(incident_id=doomed).update(incident=None)
    Incident.objects.filter(pk=doomed).delete()  # cascades to its counts and perpetrators
    gone = snapshot.refresh()
    assert (gone.removed, gone.added, gone.changed) == (1, 0, 0)
    assert_matches_register(snapshot)


def test_snapshot_in_a_file_survives_reopening_the_connection(
    acled_events: None, tmp_path: Path
) -> None:
    snapshot = RegisterSnapshot(tmp_path / "analysis.duckdb")
    snapshot.refresh()
    expected = contents(snapshot)
    snapshot.close()
    import duckdb

    with duckdb.connect(str(tmp_path / "analysis.duckdb"), read_only=True) as reopened:
        assert reopened.execute(TABLES["incidents"]).fetchall() == expected["incidents"]


def test_register_snapshot_is_shared_and_refreshed_when_stale(acled_events: None, settings) -> None:  # type: ignore[no-untyped-def]
    forget_register_snapshot()
    try:
        settings.CIVHARM = {**settings.CIVHARM, "ANALYSIS_REFRESH_SECONDS": 3600}
        shared = register_snapshot()
        assert register_snapshot() is shared
        count = "SELECT count(*) FROM incidents"
        assert shared.connection.execute(count).fetchall()[0] == (3,)
        Incident.objects.create(admin1_pcode="ML05", admin1_name="Mopti")
        assert register_snapshot().connection.execute(count).fetchall()[0] == (3,)  # still fresh
        settings.CIVHARM = {**settings.CIVHARM, "ANALYSIS_REFRESH_SECONDS": 0}
        assert register_snapshot().connection.execute(count).fetchall()[0] == (4,)
        settings.CIVHARM = {**settings.CIVHARM, "ANALYSIS_REFRESH_SECONDS": 3600}
        Incident.objects.create(admin1_pcode="ML06", admin1_name="Tombouctou")
        assert register_snapshot(force=True).connection.execute(count).fetchall()[0] == (5,)
    finally:
        forget_register_snapshot()


def test_an_edit_must_set_updated_at_to_be_seen(acled_events: None) -> None:
    """The documented rule (docs/analysis.md): save() sets updated_at; a QuerySet.update()
    that does not is invisible to an incremental refresh, and a full one repairs it."""
    snapshot = RegisterSnapshot()
    Incident.objects.create(admin1_pcode="ML05", admin1_name="Mopti")  # moves the watermark on
    snapshot.refresh()
    quiet = Incident.objects.filter(pk=acled_report("90001").incident_id)
    quiet.update(assessment_grade="weak")
    assert snapshot.refresh().changed == 0
    assert snapshot.refresh(full=True).changed == 1
    quiet.update(assessment_grade="fair", updated_at=timezone.now())
    assert snapshot.refresh().changed == 1
    assert_matches_register(snapshot)


def test_readers_in_other_threads_see_a_whole_refresh_or_none(acled_events: None) -> None:
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                seen.append(
                    snapshot.connection.execute("SELECT count(*) FROM incidents").fetchall()[0][0]
                )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    for n in range(3):
        Incident.objects.create(admin1_pcode="ML05", admin1_name="Mopti", assessment_grade=f"g{n}")
        snapshot.refresh()
    stop.set()
    for reader in readers:
        reader.join()
    assert not errors
    assert set(seen) <= {3, 4, 5, 6} and seen
