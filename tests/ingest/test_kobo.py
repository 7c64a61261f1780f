"""KoBo/ODK exports: one submission per UUID whatever the shape (Kobo CSV or JSON, ODK Central
CSV or JSON), re-sent copies counted, rows without a UUID rejected with file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civharm.ingest.kobo import read_kobo
from civharm.ingest.kobo_answers import InterviewAnswers, incident_record, interview_answers
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


def _central(tmp_path: Path, *submissions: dict[str, object]) -> Path:
    path = tmp_path / "central.json"
    path.write_text(json.dumps({"value": list(submissions)}), encoding="utf-8")
    return path


def _interview(uuid: str, **groups: dict[str, str]) -> dict[str, object]:
    return {
        "meta": {"instanceID": uuid},
        "consent": {"consent_research": "yes"},
        "interview": {"interviewer": "eq-1", "interview_date": "2025-01-02"},
        "account": {"narrative": "Récit fictif."},
        **groups,
    }


def test_a_uuid_that_is_not_hex_and_dashes_is_a_row_error(tmp_path: Path) -> None:
    good = "uuid:ABCDEF01-0000-4000-8000-000000000001"
    path = _central(
        tmp_path,
        _interview("../../../../../../etc", account={"narrative": "x", "photo": "passwd"}),
        _interview(good, meta={"instanceID": good, "deprecatedID": "uuid:../x"}),
        _interview("a" * 65),
    )
    export = read_kobo(path)
    assert export.submissions == []
    assert [(e.row, e.column) for e in export.errors] == [
        (1, "meta/instanceID"),
        (2, "meta/deprecatedID"),
        (3, "meta/instanceID"),
    ]
    assert all("etc" not in e.message for e in export.errors)


def test_an_edit_on_the_server_carries_the_uuids_it_replaced(tmp_path: Path) -> None:
    old, new = "11111111-0000-4000-8000-000000000001", "22222222-0000-4000-8000-000000000002"
    edited = _interview(f"uuid:{new}", meta={"instanceID": f"uuid:{new}", "deprecatedID": old})
    edited["meta"] = {"instanceID": f"uuid:{new}", "deprecatedID": f"uuid:{old}"}
    export = read_kobo(_central(tmp_path, _interview(f"uuid:{old}"), edited))
    [first] = export.submissions  # the edit in the same export is a copy of the first
    assert first.uuid == old and export.resent == 1
    assert first.warnings == ["row 2 is a later edit of this submission; the first copy is kept"]
    alone = read_kobo(_central(tmp_path, edited)).submissions[0]
    assert alone.uuid_chain == [new, old]


def test_errors_name_the_column_never_the_answer(tmp_path: Path) -> None:
    name, phone = "Aminata Fictive Traoré", "+223 76 12 34 56"
    path = _central(
        tmp_path,
        _interview("uuid:33333333-0000-4000-8000-000000000003", interview={
            "interviewer": "eq-1", "interview_date": name, "language": "fr"}),
        _interview("uuid:44444444-0000-4000-8000-000000000004", interview={
            "interviewer": "eq-1", "interview_date": "2025-01-02", "language": phone}),
    )  # fmt: skip
    export = read_kobo(path)
    errors = [interview_answers(s, export.label) for s in export.submissions]
    assert [e.column for e in errors if isinstance(e, RowError)] == [
        "interview/interview_date",
        "interview/language",
    ]
    text = " ".join(e.message for e in errors if isinstance(e, RowError))
    assert name not in text and phone not in text and "23" not in text


def test_a_recording_without_consent_to_it_is_left_out(tmp_path: Path) -> None:
    account = {"narrative": "x", "photo": "p.jpg", "audio": "a.m4a"}
    refused = _interview("uuid:55555555-0000-4000-8000-000000000005", account=account)
    refused["account"] = {**account, "consent_audio": "no"}
    agreed = _interview("uuid:66666666-0000-4000-8000-000000000006")
    agreed["account"] = {**account, "consent_audio": "yes"}
    first, second = read_kobo(_central(tmp_path, refused, agreed)).submissions
    assert first.attachments == ["p.jpg"] and "recording" in first.warnings[0]
    assert second.attachments == ["p.jpg", "a.m4a"] and not second.warnings


def test_deep_json_and_huge_cells_are_refused_in_one_sentence(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"results": [' + '{"a": ' * 5000 + "1" + "}" * 5000 + "]}")
    with pytest.raises(UnreadableFile, match="nested too deeply"):
        read_kobo(deep)
    nested = _interview("uuid:77777777-0000-4000-8000-000000000007")
    nested["x"] = json.loads('{"a": ' * 100 + "1" + "}" * 100)
    [error] = read_kobo(_central(tmp_path, nested), form="interview").errors
    assert error.row == 1 and "nested too deeply" in error.message
    huge = tmp_path / "huge.csv"
    huge.write_text(
        "consent_research,narrative,_uuid\nyes," + "x" * 3_000_000 + ",88888888\n"
        "yes,court,99999999\n",
        encoding="utf-8",
    )
    export = read_kobo(huge, form="interview")
    [error] = export.errors
    assert error.row == 2 and "longer than" in error.message and export.submissions == []
