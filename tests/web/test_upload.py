"""Uploading a file: preview first (nothing written), then confirm, cancel, and who may see it."""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES, can
from civharm.incidents.models import ImportRun, Incident, Person, Report
from tests.incidents.factories import VICTIM_ROWS, write_victims
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]

REPORT_ROWS = [
    ["Référence", "Date", "Lieu", "Cercle", "Région", "Tués", "Blessés", "Auteur présumé", "Note"],
    ["R-1", "14/03/2022", "Niono", "Niono", "Ségou", "20-30", "2", "FAMa", "x"],
    ["R-2", "31/02/2022", "Bandiagara", "Bandiagara", "Mopti", "4", "", "JNIM", "y"],
    ["R-3", "mars 2023", "Ménaka", "Ménaka", "Gao", "environ 12", "", "EIGS", "z"],
]


@pytest.fixture(autouse=True)
def private_data_dir(settings: object, tmp_path: Path) -> None:
    """Each test its own DATA_DIR, so upload folders never leak between tests."""
    settings.DATA_DIR = tmp_path / "data"  # type: ignore[attr-defined]


def _reports_file(tmp_path: Path) -> bytes:
    path = tmp_path / "rapports.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(REPORT_ROWS)
    return path.read_bytes()


def _upload(client: Client, content: bytes, fmt: str = "reports", name: str = "f.csv") -> object:
    data = {
        "source_format": fmt,
        "source_name": "ONG test",
        "source_type": "ngo",
        "file": SimpleUploadedFile(name, content, content_type="text/csv"),
    }
    return client.post(reverse("web:import_upload"), data)


def _uploads() -> list[Path]:
    folder = Path(settings.DATA_DIR) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_preview_shows_mapping_and_row_error_and_writes_nothing(
    client_for: ClientFor, tmp_path: Path
) -> None:
    client = client_for("field_researcher")
    client.cookies["django_language"] = "en"
    uploaded = _upload(client, _reports_file(tmp_path), name="Famille Traoré.csv")
    assert uploaded.status_code == 302
    assert "Traor" not in uploaded["Location"]
    page = client.get(uploaded["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert page.context["preview"].record_count == 2 and page.context["preview"].error_count == 1
    assert ("Tués", "killed") in page.context["preview"].mapping.recognised
    assert page.context["preview"].mapping.unrecognised == ["Note"]
    error = page.context["preview"].errors[0]
    assert (error.row, error.column) == (3, "Date") and "does not exist" in text
    assert "Niono" in text and "20–30" in text
    assert Report.objects.count() == Incident.objects.count() == ImportRun.objects.count() == 0
    for path in _uploads():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "Traor" not in path.name


def test_confirm_imports_the_good_rows_and_deletes_the_upload(
    client_for: ClientFor, tmp_path: Path
) -> None:
    client = client_for("analyst")
    preview_url = _upload(client, _reports_file(tmp_path), name="rapports.csv")["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    done = client.post(reverse("web:import_confirm", args=[token]))
    assert done.status_code == 200
    next_page = f'name="next" type="hidden" value="{reverse("web:import_upload")}"'
    assert next_page in done.content.decode()  # the language switch: not to a POST-only page
    assert (done.context["outcome"].imported, len(done.context["outcome"].errors)) == (2, 1)
    assert Report.objects.count() == Incident.objects.count() == 2
    run = ImportRun.objects.get()
    assert run.file_name == "rapports.csv" and run.source.name == "ONG test"
    assert AuditEntry.objects.filter(action="import").count() == 1
    assert _uploads() == []
    assert client.get(preview_url).status_code == 404


def test_cancel_deletes_the_upload_and_imports_nothing(
    client_for: ClientFor, tmp_path: Path
) -> None:
    client = client_for("analyst")
    preview_url = _upload(client, _reports_file(tmp_path))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    response = client.post(reverse("web:import_cancel", args=[token]))
    assert response.status_code == 302 and response["Location"] == reverse("web:import_upload")
    assert _uploads() == [] and Report.objects.count() == 0


def test_victim_preview_shows_no_name(client_for: ClientFor, tmp_path: Path) -> None:
    client = client_for("field_researcher")
    content = write_victims(tmp_path / "liste.csv").read_bytes()
    page = client.get(_upload(client, content, fmt="victims")["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and page.context["preview"].record_count == 3
    assert ("NOM", "family_name") in page.context["preview"].mapping.recognised
    for row in VICTIM_ROWS:
        assert row[1] not in text and row[2] not in text
    assert Person.objects.count() == 0


def test_another_user_cannot_open_confirm_or_cancel_the_preview(
    client_for: ClientFor, tmp_path: Path
) -> None:
    owner = client_for("analyst")
    preview_url = _upload(owner, _reports_file(tmp_path))["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    intruder = logged_in(make_user("analyst", username="other-analyst"))
    assert intruder.get(preview_url).status_code == 404
    assert intruder.post(reverse("web:import_confirm", args=[token])).status_code == 404
    assert intruder.post(reverse("web:import_cancel", args=[token])).status_code == 404
    assert owner.get(preview_url).status_code == 200 and Report.objects.count() == 0


def test_too_large_file_is_refused_with_a_clear_message(
    client_for: ClientFor, settings: object
) -> None:
    settings.CIVHARM = {**settings.CIVHARM, "MAX_UPLOAD_MB": 1}  # type: ignore[attr-defined]
    client = client_for("analyst")
    client.cookies["django_language"] = "en"
    response = _upload(client, b"date,lieu\n" + b"x" * (1024 * 1024 + 10))
    assert response.status_code == 200 and b"the limit is 1 MB" in response.content
    assert _uploads() == []


def test_unreadable_file_is_explained_in_the_preview(client_for: ClientFor) -> None:
    client = client_for("analyst")
    page = client.get(_upload(client, b"%PDF-1.4 not a table")["Location"])
    assert page.status_code == 200 and "PDF" in page.context["unreadable"]


def test_a_named_source_is_required_for_lists(client_for: ClientFor, tmp_path: Path) -> None:
    client = client_for("analyst")
    data = {
        "source_format": "reports",
        "source_name": "",
        "file": SimpleUploadedFile("a.csv", b"x"),
    }
    response = client.post(reverse("web:import_upload"), data)
    assert "source_name" in response.context["form"].errors


@pytest.mark.parametrize("role", sorted(ROLES))
def test_import_urls_for_every_role(client_for: ClientFor, role: str, tmp_path: Path) -> None:
    client = client_for(role)
    expected = 200 if can(role, "import") else 403
    assert client.get(reverse("web:import_upload")).status_code == expected
    token = "A" * 32
    missing = 404 if can(role, "import") else 403
    assert client.get(reverse("web:import_preview", args=[token])).status_code == missing
    assert client.post(reverse("web:import_confirm", args=[token])).status_code == missing
    assert client.post(reverse("web:import_cancel", args=[token])).status_code == missing
    if can(role, "import"):
        preview = client.get(_upload(client, _reports_file(tmp_path))["Location"])
        assert preview.status_code == 200


@pytest.mark.parametrize(
    "name,args",
    [
        ("web:import_upload", []),
        ("web:import_preview", ["A" * 32]),
        ("web:import_confirm", ["A" * 32]),
    ],
)
def test_import_urls_send_anonymous_users_to_log_in(client: Client, name: str, args: list) -> None:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
