"""A trainer, from a real browser (in French, with a second factor), records a session with two
generated participants and their pre- and post-tests, reads the scores and the knowledge gain,
and downloads a participant's certificate (kept as test-artifacts and /tmp/h/certificate.png to
be looked at)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from civharm.accounts.models import AuditEntry
from civharm.training.models import Participant
from tests.browser.watch import ConsoleWatch
from tests.web.test_training_pages import TITLE_FR, TRAINEES, Curriculum, make_curriculum

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOOK_AT = Path("/tmp/h")
# (right answers in the pre-test, in the post-test) of each trainee, out of four questions.
RIGHT = [(1, 4), (2, 3)]


def _record_session(page: Page, base_url: str, curriculum: Curriculum) -> None:
    page.goto(f"{base_url}/")
    page.locator("header nav a[href='/training/']").click()
    page.locator("#new-session").click()
    page.locator("#id_module_version").select_option(str(curriculum.version.pk))
    page.fill("#id_held_on", "2024-03-12")
    page.fill("#id_ends_on", "2024-03-14")
    page.fill("#id_place_name", "Sévaré")
    page.locator("#id_admin1_pcode").select_option("ML05")
    page.locator("#id_unit").select_option(str(curriculum.unit.pk))
    page.locator("#id_partner").select_option(str(curriculum.partner.pk))
    page.fill("#id_trainers", "Formatrice Une\nFormateur Deux")
    page.locator("#record-session").click()
    expect(page).to_have_url(re.compile(r"/training/sessions/\d+/$"))
    expect(page.locator("#session-code")).to_contain_text("FOR-")


def _add_participants(page: Page) -> list[Participant]:
    for number, name, rank in TRAINEES:
        page.fill("#id_service_number", number)
        page.fill("#id_name", name)
        page.locator("#id_rank").select_option(rank)
        page.locator("#add-participant-button").click()
        expect(page.locator("main p.message.success")).to_be_visible()
    people = list(Participant.objects.order_by("pk"))
    for person in people:
        expect(page.locator(f"#participant-{person.pk} th")).to_contain_text(person.pseudonym)
    expect(page.locator("table.attendance")).not_to_contain_text(TRAINEES[0][1])
    return people


def _enter_test(page: Page, curriculum: Curriculum, person: Participant, kind: str, right: int):  # type: ignore[no-untyped-def]
    page.locator(f"#participant-{person.pk} a[href$='/{person.pk}/{kind}/']").click()
    expect(page.locator("#attempt-participant")).to_have_text(person.pseudonym)
    for index, question in enumerate(curriculum.questions):
        choice = "a" if index < right else "b"
        page.locator(f"input[name='q{question.pk}'][value='{choice}']").check()
    page.locator("#save-attempt").click()
    expect(page).to_have_url(re.compile(r"/training/sessions/\d+/$"))


def _look_at(pdf: Path) -> str:
    """The certificate's text; its first page as PNG for a person to look at."""
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.skip("!!! pdftoppm/pdftotext (Debian poppler-utils) not found: run .ci/pdf.sh")
    LOOK_AT.mkdir(parents=True, exist_ok=True)
    for folder in (ARTIFACTS, LOOK_AT):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(folder / "certificate")],
            check=True,
        )
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def test_a_trainer_records_a_session_scores_it_and_downloads_a_certificate(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
    tmp_path: Path,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    curriculum = make_curriculum()
    log_in(page, "trainer")
    _record_session(page, base_url, curriculum)
    people = _add_participants(page)
    for person, (pre, post) in zip(people, RIGHT, strict=True):
        _enter_test(page, curriculum, person, "pre", pre)
        _enter_test(page, curriculum, person, "post", post)
    expect(page.locator(f"#participant-{people[0].pk} .score-pre")).to_have_text("1 / 4")
    expect(page.locator(f"#participant-{people[0].pk} .score-post")).to_have_text("4 / 4")
    expect(page.locator(f"#participant-{people[1].pk} .score-post")).to_have_text("3 / 4")
    expect(page.locator("#session-gain")).to_contain_text("n = 2")  # gains 75 and 25 points
    screenshot(page, "training-session")

    with page.expect_download() as download:
        page.locator(f"#participant-{people[0].pk} a.certificate").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-"), "no PDF (is WeasyPrint's Pango installed?)"
    text = _look_at(pdf)
    assert TITLE_FR in text and TRAINEES[0][1] in text
    assert AuditEntry.objects.filter(action="export", object_type="TrainingCertificate").exists()

    page.locator("nav.training-nav a[href='/training/gain/']").click()
    expect(page.locator("#pair-count")).to_have_text("2")
    expect(page.locator("#gain-module tbody tr")).to_have_count(1)
    screenshot(page, "training-gain")
    page.locator("nav.training-nav a[href='/training/']").click()
    expect(page.locator("#recent-sessions tbody tr")).to_have_count(1)
    screenshot(page, "training-overview")
    console.assert_clean()
