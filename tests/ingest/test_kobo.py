"""KoBo/ODK exports: one submission per UUID whatever the shape (Kobo CSV or JSON, ODK Central
CSV or JSON), re-sent copies counted, rows without a UUID rejected with file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civharm.ingest.kobo import (
    InterviewAnswers,
    incident_record,
    interview_answers,
    read_kobo,
)
from civharm.ingest.records import RowError, SourceRecord, UnreadableFile

DATA = Path(__file__).parents[1] / "research" / "data"
RESENT = "6f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"


def test_kobo_csv_gives_one_submission_per_uuid_and_counts_the_copies() -> None:
    export = read_kobo(DATA / "kobo_entretiens.csv")
    assert export.form == "interview"
    uuids = [s.uuid for s in export.submissions]
    assert len(uuids) == len(set(uuids)) == 4 and uuids[0] == RESENT
    assert export.resent == 9  # the same submission sent ten times
    [missing] = export.errors
    assert (missing.file, missing.row, missing.column) == ("kobo_entretiens.csv", 13, "_uuid")
    first = export.submissions[0]
    assert first.answer("consent_publication") == "yes"  # read through the "consent/" group
    assert first.column("consent_publication") == "consent/consent_publication"
    assert first.attachments == ["1710410400123.jpg"]


def test_interview_answers_are_checked_and_refused_consent_records_nothing() -> None:
    export = read_kobo(DATA / "kobo_entretiens.csv")
    checked = [interview_answers(s, export.label) for s in export.submissions]
    kept = [a for a in checked if isinstance(a, InterviewAnswers)]
    refused, bad_date = [a for a in checked if isinstance(a, RowError)]
    assert [a.language for a in kept] == ["bm", "ff"]
    assert kept[0].harms == ["killed", "displaced_households"] and kept[0].for_publication
    assert not kept[1].for_publication and kept[1].age_band == "60+"
    assert refused.column == "consent/consent_research" and refused.row == 14
    assert bad_date.column == "interview/interview_date"
    assert "Nom Fictif" not in refused.message + bad_date.message  # messages never hold answers


def test_kobo_api_json_incident_reports_become_records_keyed_by_uuid() -> None:
    export = read_kobo(DATA / "kobo_rapports.json")
    assert export.form == "incident" and export.resent == 9
    items = [incident_record(s, export.label) for s in export.submissions]
    records = [i for i in items if isinstance(i, SourceRecord)]
    [bad_count] = [i for i in items if isinstance(i, RowError)]
    assert bad_count.column == "incident/nb_killed" and bad_count.row == 12
    first = records[0]
    assert first.record_id == "d1e2f3a4-5b6c-4d7e-8f90-a1b2c3d4e5f6"
    assert first.harm["killed"].best == 3 and first.interaction_context == "attack_on_village"
    assert [a.key for a in first.actors] == ["unidentified_armed_group"]
    assert (first.place.latitude, first.place.longitude) == (14.4843, -4.1827)
    assert first.place.admin2_pcode == "ML0501"
    # the _attachments path of the KoboToolbox API is cut to the file's own name
    assert export.submissions[0].attachments == ["scene.jpg"]


def test_odk_central_json_nests_groups_and_prefixes_uuids(tmp_path: Path) -> None:
    submission = {
        "__id": "uuid:ABCDEF01-0000-4000-8000-000000000001",
        "__system": {"submissionDate": "2025-01-02T10:00:00Z"},
        "meta": {"instanceID": "uuid:ABCDEF01-0000-4000-8000-000000000001"},
        "consent": {"consent_research": "yes", "consent_publication": "no"},
        "interview": {"interviewer": "eq-1", "interview_date": "2025-01-02", "language": "son"},
        "account": {"narrative": "Récit fictif.", "photo": "../../secret/1.jpg"},
    }
    path = tmp_path / "central.json"
    path.write_text(json.dumps({"value": [submission, submission]}), encoding="utf-8")
    export = read_kobo(path)
    [only] = export.submissions
    assert export.form == "interview" and export.resent == 1
    assert only.uuid == "abcdef01-0000-4000-8000-000000000001"
    assert only.answer("language") == "son" and only.attachments == ["1.jpg"]


def test_odk_central_csv_uses_dashes_and_key(tmp_path: Path) -> None:
    path = tmp_path / "central.csv"
    path.write_text(
        "SubmissionDate,reporter_consent,incident-incident_date,incident-admin1,"
        "incident-nb_killed,meta-instanceID,KEY\n"
        "2025-01-03,yes,2025-01-01,ML05,2,uuid:11111111-2222-4333-8444-555555555555,"
        "uuid:11111111-2222-4333-8444-555555555555\n",
        encoding="utf-8",
    )
    export = read_kobo(path)
    [only] = export.submissions
    assert export.form == "incident" and only.answer("nb_killed") == "2"
    record = incident_record(only, export.label)
    assert isinstance(record, SourceRecord) and record.place.admin1_pcode == "ML05"


def test_a_file_of_another_kind_is_refused_with_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"rows": []}), encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"other\.json"):
        read_kobo(path)
    csv_path = tmp_path / "other.csv"
    csv_path.write_text("_uuid,colour\nx,blue\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=r"other\.csv"):
        read_kobo(csv_path)
