"""`civharm import kobo`: one record per submission however often it was re-sent, rejected
rows listed with file/row/column and a report file, and a second import changes nothing."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from civharm.incidents.models import Report
from civharm.research.kobo_import import DEFAULT_SOURCE, import_kobo
from civharm.research.models import Attachment, AttachmentCustody, Interview
from civharm.research.services import reveal_narrative
from tests.conftest import run_cli
from tests.research.helpers import make_user
from tests.research.test_attachments import gps_jpeg

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
RESENT_INTERVIEW = "6f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
RESENT_REPORT = "d1e2f3a4-5b6c-4d7e-8f90-a1b2c3d4e5f6"


@pytest.fixture(autouse=True)
def in_english() -> object:
    """The assertions read the English messages (French is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def export_folder(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The exports as downloaded, with the photos they name in attachments/<uuid>/."""
    settings.DATA_DIR = tmp_path / "data"
    folder = tmp_path / "export"
    for name in ("kobo_entretiens.csv", "kobo_rapports.json"):
        (folder / "attachments").mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / name, folder / name)
    for uuid, photo in ((RESENT_INTERVIEW, "1710410400123.jpg"), (RESENT_REPORT, "scene.jpg")):
        (folder / "attachments" / uuid).mkdir()
        gps_jpeg(folder / "attachments" / uuid / photo)
    return folder


def test_interviews_import_once_per_submission_and_reimport_changes_nothing(
    export_folder: Path,
) -> None:
    path = export_folder / "kobo_entretiens.csv"
    outcome = import_kobo(path, actor="field_researcher-user")

    assert (outcome.imported, outcome.duplicates) == (2, 9)
    assert [(e.row, e.column) for e in outcome.errors] == [
        (13, "_uuid"),
        (14, "consent/consent_research"),
        (15, "interview/interview_date"),
    ]
    assert outcome.error_report and outcome.error_report.is_file()
    assert "Nom Fictif" not in outcome.error_report.read_text(encoding="utf-8-sig")
    interview = Interview.objects.get(submission_uuid=RESENT_INTERVIEW)
    assert (interview.language, interview.admin1_name, interview.interviewer) == (
        "bm",
        "Mopti",
        "enqueteur-07",
    )
    assert interview.consent.for_publication and not interview.consent.for_sharing
    assert "Nom Fictif" not in interview.interviewee.name_encrypted  # stored encrypted
    reader = make_user("analyst")
    assert "fui" in reveal_narrative(interview, user=reader)
    [photo] = Attachment.objects.filter(interview=interview)
    assert photo.file_name == f"photo-{photo.sha256[:12]}.jpg"  # never the phone's name
    assert photo.submission_uuid == RESENT_INTERVIEW

    again = import_kobo(path, actor="field_researcher-user")

    assert (again.imported, again.duplicates, len(again.errors)) == (0, 11, 3)
    assert Interview.objects.count() == 2 and Attachment.objects.count() == 1
    assert AttachmentCustody.objects.filter(action="received").count() == 1


def test_incident_reports_go_through_the_register_import_as_kobo_submissions(
    export_folder: Path,
) -> None:
    out = StringIO()
    call_command("import", "kobo", str(export_folder / "kobo_rapports.json"), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["imported"], summary["duplicates"]) == (2, 9)
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [
        (12, "incident/nb_killed"),
        (13, "_uuid"),
    ]
    reports = Report.objects.filter(source__name=DEFAULT_SOURCE)
    assert reports.count() == 2 and reports.first().source.source_type == "kobo"
    report = reports.get(record_id=RESENT_REPORT)
    assert (report.admin2_name, report.admin1_name) == ("Bandiagara", "Mopti")
    assert Attachment.objects.get(report=report).file_name.startswith("photo-")

    out = StringIO()
    call_command(
        "import", "kobo", str(export_folder / "kobo_rapports.json"), "--form", "incident",
        "--json", stdout=out,
    )  # fmt: skip
    assert json.loads(out.getvalue())["imported"] == 0
    assert reports.count() == 2 and Attachment.objects.count() == 1


def test_a_withdrawn_interview_never_comes_back_from_an_old_export(export_folder: Path) -> None:
    from civharm.research.withdrawal import withdraw_consent

    path = export_folder / "kobo_entretiens.csv"
    import_kobo(path, actor="field_researcher-user")
    withdraw_consent(Interview.objects.get(submission_uuid=RESENT_INTERVIEW), actor="analyst-user")
    assert not Attachment.objects.exists()

    again = import_kobo(path, actor="field_researcher-user")

    assert again.imported == 0 and not Attachment.objects.exists()
    interview = Interview.objects.get(submission_uuid=RESENT_INTERVIEW)
    assert interview.narrative_encrypted == "" and interview.interviewee.name_encrypted == ""


TEMPLATE = (DATA / "kobo_entretiens.csv").read_text(encoding="utf-8").splitlines()[:2]
EXTRA_COLUMNS = ("person/interviewee_pseudonym", "meta/deprecatedID")


def _write_submissions(path: Path, *changes: dict[str, str]) -> Path:
    """Rows of the fixture's first submission, each with some answers changed."""
    header = [*TEMPLATE[0].split(";"), *EXTRA_COLUMNS]
    base = dict(zip(header, [*TEMPLATE[1].split(";"), "", ""], strict=True))
    lines = [";".join(header)] + [";".join({**base, **change}.values()) for change in changes]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _uuid(value: str) -> dict[str, str]:
    return {"meta/instanceID": f"uuid:{value}", "_uuid": value}


def test_a_uuid_or_link_leading_out_of_the_export_folder_is_never_read(
    export_folder: Path,
) -> None:
    secret = export_folder.parent / "etc" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    linked = "abcdef00-0000-4000-8000-000000000001"
    (export_folder / "attachments" / linked).mkdir()
    (export_folder / "attachments" / linked / "p.jpg").symlink_to(secret)
    path = _write_submissions(
        export_folder / "trav.csv",
        {**_uuid("../../etc"), "account/photo": "passwd"},
        {**_uuid(linked), "account/photo": "p.jpg"},
    )
    outcome = import_kobo(path)
    assert [(e.row, e.column) for e in outcome.errors] == [(2, "meta/instanceID")]
    assert outcome.imported == 1 and not Attachment.objects.exists()
    [warning] = outcome.warnings
    assert (
        warning.row == 3 and "account/photo" in warning.message and "p.jpg" not in warning.message
    )


def test_an_edit_made_on_the_server_never_brings_a_withdrawn_person_back(
    export_folder: Path,
) -> None:
    from civharm.research.withdrawal import withdraw_consent

    import_kobo(_write_submissions(export_folder / "first.csv", _uuid(RESENT_INTERVIEW)))
    withdraw_consent(Interview.objects.get(submission_uuid=RESENT_INTERVIEW), actor="analyst-user")
    edit = {"meta/deprecatedID": f"uuid:{RESENT_INTERVIEW}"}
    edited = _write_submissions(
        export_folder / "edited.csv", {**_uuid("99999999-2222-4333-8444-000000000010"), **edit}
    )

    outcome = import_kobo(edited)

    assert (outcome.imported, outcome.duplicates, outcome.errors) == (0, 1, [])
    assert Interview.objects.count() == 1 and not Attachment.objects.exists()
    [warning] = outcome.as_json()["warnings"]  # type: ignore[misc]
    assert (
        warning["message"] == "edited on the server after it was imported; the first copy is kept"
    )


def test_missing_attachments_are_reported_then_stored_when_they_arrive(
    export_folder: Path,
) -> None:
    photo = export_folder / "attachments" / RESENT_INTERVIEW / "1710410400123.jpg"
    kept = photo.read_bytes()
    photo.unlink()
    path = _write_submissions(export_folder / "one.csv", _uuid(RESENT_INTERVIEW))

    first = import_kobo(path)
    [warning] = first.as_json()["warnings"]  # type: ignore[misc]
    assert warning["row"] == 2 and "account/photo" in warning["message"]
    assert first.error_report and "account/photo" in first.error_report.read_text("utf-8-sig")
    assert first.imported == 1 and not Attachment.objects.exists()

    photo.write_bytes(kept)
    again = import_kobo(path)
    assert (again.imported, again.duplicates, again.warnings) == (0, 1, [])
    [stored] = Attachment.objects.all()
    assert stored.interview.submission_uuid == RESENT_INTERVIEW


def test_a_follow_up_interview_names_the_pseudonym_of_someone_already_interviewed(
    export_folder: Path,
) -> None:
    import_kobo(_write_submissions(export_folder / "first.csv", _uuid(RESENT_INTERVIEW)))
    first = Interview.objects.get(submission_uuid=RESENT_INTERVIEW)
    blank = {f"person/{q}": "" for q in ("interviewee_name", "interviewee_contact", "community")}
    blank |= {f"person/{q}": "" for q in ("sex", "age_band", "displacement_status")}
    path = _write_submissions(
        export_folder / "follow_up.csv",
        {**_uuid("aaaaaaaa-0000-4000-8000-000000000001"), **blank,
         "person/interviewee_pseudonym": first.interviewee.pseudonym.lower()},
        {**_uuid("aaaaaaaa-0000-4000-8000-000000000002"), **blank,
         "person/interviewee_pseudonym": "T-00000-00000"},
    )  # fmt: skip

    outcome = import_kobo(path)

    assert outcome.imported == 1
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "person/interviewee_pseudonym")]
    follow_up = Interview.objects.get(submission_uuid="aaaaaaaa-0000-4000-8000-000000000001")
    assert follow_up.interviewee_id == first.interviewee_id


@pytest.mark.not_the_database
def test_the_command_never_prints_an_answer_and_survives_broken_files(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    name, phone = "Kadiatou Fictive Coulibaly", "+223 65 43 21 09"
    shifted = _write_submissions(
        tmp_path / "shifted.csv",
        {**_uuid("bbbbbbbb-0000-4000-8000-000000000001"), "interview/interview_date": name},
        {**_uuid("bbbbbbbb-0000-4000-8000-000000000002"), "person/sex": phone},
    )
    result = run_cli(cli_env, "import", "kobo", str(shifted), check=False)
    [report] = (Path(cli_env["CIVHARM_DATA"]) / "import-errors").glob("*.csv")
    shown = result.stdout + result.stderr + report.read_text(encoding="utf-8-sig")
    assert "interview/interview_date" in shown and "person/sex" in shown
    assert name not in shown and phone not in shown and "65 43" not in shown

    huge = _write_submissions(tmp_path / "huge.csv", {"account/narrative": "x" * 5_000_000})
    result = run_cli(cli_env, "import", "kobo", str(huge), "--json", check=False)
    assert "Traceback" not in result.stderr
    assert result.returncode != 0 or json.loads(result.stdout)["errors"]

    deep = tmp_path / "deep.json"
    deep.write_text('{"results": [' + '{"a": ' * 5000 + "1" + "}" * 5000 + "]}")
    result = run_cli(cli_env, "import", "kobo", str(deep), check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "nested too deeply" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_incident_report_edited_on_the_server_is_not_a_second_report(
    export_folder: Path,
) -> None:
    import_kobo(export_folder / "kobo_rapports.json")
    reports = Report.objects.filter(source__name=DEFAULT_SOURCE).count()
    data = json.loads((export_folder / "kobo_rapports.json").read_text(encoding="utf-8"))
    edited = dict(data["results"][0])
    new = "eeeeeeee-5b6c-4d7e-8f90-a1b2c3d4e5f6"
    edited |= {"_uuid": new, "meta/instanceID": f"uuid:{new}"}
    edited |= {
        "meta/deprecatedID": f"uuid:{RESENT_REPORT}",
        "meta/rootUuid": f"uuid:{RESENT_REPORT}",
    }
    path = export_folder / "edited.json"
    path.write_text(json.dumps({"results": [edited]}), encoding="utf-8")

    outcome = import_kobo(path)

    assert (outcome.imported, outcome.duplicates, outcome.errors) == (0, 1, [])
    assert Report.objects.filter(source__name=DEFAULT_SOURCE).count() == reports
    assert "edited on the server" in outcome.warnings[0].message
