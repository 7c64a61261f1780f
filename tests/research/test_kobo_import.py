"""`civharm import kobo`: one record per submission however often it was re-sent, rejected
rows listed with file/row/column and a report file, and a second import changes nothing."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from civharm.incidents.models import Report
from civharm.research.kobo_import import DEFAULT_SOURCE, import_kobo
from civharm.research.models import Attachment, AttachmentCustody, Interview
from civharm.research.services import reveal_narrative
from tests.research.helpers import make_user
from tests.research.test_attachments import gps_jpeg

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
RESENT_INTERVIEW = "6f1c2b9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
RESENT_REPORT = "d1e2f3a4-5b6c-4d7e-8f90-a1b2c3d4e5f6"


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
    assert photo.file_name == "1710410400123.jpg" and photo.submission_uuid == RESENT_INTERVIEW

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
    assert Attachment.objects.get(report=report).file_name == "scene.jpg"

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
