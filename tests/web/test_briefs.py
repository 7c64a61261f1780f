"""The Briefs page: an analyst makes a brief from the form and downloads it; a partner may not."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import AuditEntry
from civharm.advocacy.models import Brief

FORM = {"region": "ML05", "month_from": "2022-01", "month_to": "2022-06", "language": "en"}


def _can_draw_pdf() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def test_an_analyst_makes_a_brief_and_downloads_it(
    client_for: Callable[[str], Client], tmp_path: Path, settings
) -> None:
    if not _can_draw_pdf():
        pytest.skip("WeasyPrint cannot load (Pango missing? run .ci/pdf.sh as root)")
    settings.DATA_DIR = tmp_path
    client = client_for("analyst")
    page = client.get(reverse("web:briefs"))
    assert page.status_code == 200 and b"No brief has been made yet" in page.content
    response = client.post(reverse("web:brief_new"), FORM, follow=True)
    assert response.status_code == 200
    brief = Brief.objects.get()
    assert (brief.region_name, brief.language, brief.created_by) == ("Mopti", "en", "analyst-user")
    assert f'id="brief-{brief.pk}"' in response.content.decode()
    pdf = client.get(reverse("web:brief_download", args=[brief.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content)
    assert body.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    html = client.get(reverse("web:brief_download", args=[brief.pk, "html"]))
    assert b"Civilian harm in Mopti" in b"".join(html.streaming_content)
    downloads = AuditEntry.objects.filter(action="export", object_type="Brief")
    assert [(e.actor, e.object_id, e.details["kind"]) for e in downloads.order_by("id")] == [
        ("analyst-user", str(brief.pk), "pdf"),
        ("analyst-user", str(brief.pk), "html"),
    ]


def test_a_wrong_period_is_said_on_the_form(client_for: Callable[[str], Client]) -> None:
    client = client_for("advocacy_officer")
    response = client.post(reverse("web:brief_new"), FORM | {"month_to": "2021-12"}, follow=True)
    assert b"is before" in response.content and not Brief.objects.exists()


def test_a_year_out_of_range_is_said_on_the_form(client_for: Callable[[str], Client]) -> None:
    client = client_for("analyst")
    for first, last in (("1900-01", "9999-12"), ("0001-01", "0001-02")):
        response = client.post(
            reverse("web:brief_new"), FORM | {"month_from": first, "month_to": last}, follow=True
        )
        assert response.status_code == 200
        assert b"is out of range; choose one from 1990 to 2100" in response.content
    assert not Brief.objects.exists()


def test_partners_may_not_make_or_download_briefs(client_for: Callable[[str], Client]) -> None:
    brief = Brief.objects.create(
        region_pcode="ML05", region_name="Mopti", date_from="2022-01-01", date_to="2022-12-31",
        created_by="analyst-user",
    )  # fmt: skip
    client = client_for("partner")
    assert client.get(reverse("web:briefs")).status_code == 403
    assert client.post(reverse("web:brief_new"), FORM).status_code == 403
    assert client.get(reverse("web:brief_download", args=[brief.pk, "pdf"])).status_code == 403
    assert not Brief.objects.exclude(pk=brief.pk).exists()


def test_a_withdrawn_brief_is_marked_and_its_download_is_gone(
    client_for: Callable[[str], Client],
) -> None:
    from django.utils import timezone

    brief = Brief.objects.create(
        region_pcode="ML05", region_name="Mopti", date_from="2022-01-01", date_to="2022-12-31",
        created_by="analyst-user", pdf_sha256="0" * 64, html_sha256="1" * 64,
        withdrawn_at=timezone.now(),
    )  # fmt: skip
    client = client_for("advocacy_officer")
    listing = client.get(reverse("web:briefs")).content.decode()
    row = listing[listing.index(f'id="brief-{brief.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "withdrawn from the archive" in row
    assert reverse("web:brief_download", args=[brief.pk, "pdf"]) not in row
    for kind in ("pdf", "html"):
        gone = client.get(reverse("web:brief_download", args=[brief.pk, kind]))
        assert gone.status_code == 410
        assert "withdrew consent; it can no longer be downloaded" in gone.content.decode()
    assert not AuditEntry.objects.filter(action="export", object_type="Brief").exists()
