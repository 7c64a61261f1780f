"""Coding from a real browser: an analyst opens an interview, shows the narrative (audited),
selects a passage, codes it with a theme, and sees the theme counted on the findings page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from civharm.accounts.models import AuditEntry
from civharm.research.codebook import seed_codebook_themes
from civharm.research.models import CodedExcerpt, Interview, Theme
from civharm.research.services import InterviewInput, add_coded_excerpt, record_interview
from civharm.web.research.findings_release import forget_findings_release
from tests.browser.watch import ConsoleWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = (
    "Ils sont arrivés à l'aube et ont brûlé les greniers.\n"
    "Depuis, nous avons besoin de nourriture et de soins pour les enfants."
)
PASSAGE = "nous avons besoin de nourriture"
FINDINGS_SHOT = Path("/tmp/h/findings.png")


@pytest.fixture(autouse=True)
def _fresh_findings_release() -> Iterator[None]:
    """The whole-corpus findings release is cached per process; each test's database is new."""
    forget_findings_release()
    yield
    forget_findings_release()


def _interview(interviewer: str = "field-user") -> Interview:
    data = InterviewInput(
        interviewed_on=date(2025, 5, 6),
        interviewer=interviewer,
        admin1_pcode="ML05",
        name="Invented Person",
        sex="female",
        age_band="30-44",
        narrative=NARRATIVE,
        for_publication=True,
    )
    return record_interview(data, actor=interviewer)


def _five_coded_already() -> None:
    """Five other interviews already coded with the theme, so that six clear the threshold."""
    seed_codebook_themes(Theme)  # a browser test's database is emptied between tests
    food = Theme.objects.get(key="need_food")
    for _n in range(5):
        start = NARRATIVE.index(PASSAGE)
        add_coded_excerpt(_interview(), food, start, start + len(PASSAGE), coder="other")


def _select(page: Page, text: str) -> None:
    """Select `text` inside the narrative as a reader dragging the mouse would."""
    page.locator("#narrative-text").evaluate(
        """(element, text) => {
            const node = element.querySelector("[data-start]").firstChild;
            const at = node.textContent.indexOf(text);
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            element.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        text,
    )


def test_analyst_codes_a_passage_and_finds_the_theme(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    _five_coded_already()
    interview = _interview()
    log_in(page, "analyst")
    page.goto(f"{base_url}/")
    page.locator("header nav a[href='/research/interviews/']").click()
    page.locator(f"#interview-{interview.pk} a").click()
    expect(page.locator("#show-narrative")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("greniers")
    expect(page.locator("main")).not_to_contain_text("Invented Person")

    page.locator("#show-narrative").click()
    expect(page.locator("#narrative-text")).to_contain_text("greniers")
    assert AuditEntry.objects.filter(action="read", object_id=str(interview.pk)).exists()

    _select(page, PASSAGE)
    start = NARRATIVE.index(PASSAGE)
    expect(page.locator("#coding-form input[name='start']")).to_have_value(str(start))
    expect(page.locator("#coding-form .selected-passage")).to_have_text(PASSAGE)
    page.locator("#coding-form select[name='theme']").select_option("need_food")
    page.locator("#code-passage").click()
    expect(page.locator("main p.message.success")).to_be_visible()
    expect(page.locator("#narrative-text mark.coded")).to_have_text(PASSAGE)
    screenshot(page, "coding")
    excerpt = CodedExcerpt.objects.get(interview=interview)
    assert (excerpt.start, excerpt.end, excerpt.theme.key) == (
        start,
        start + len(PASSAGE),
        "need_food",
    )
    # The quote box starts empty: the verbatim passage may name people; write anonymised words.
    quote_box = page.locator(f"#excerpt-{excerpt.pk} textarea[name='text']")
    expect(quote_box).to_have_value("")
    expect(quote_box).to_have_attribute("placeholder", re.compile(r"\S"))

    page.locator(".research-nav a[href='/research/findings/']").click()
    expect(page).to_have_url(re.compile(r"/research/findings/$"))
    food = Theme.objects.get(key="need_food").label_fr
    row = page.locator("#theme-need_food")
    expect(row).to_contain_text(food)
    expect(row.locator("td.num strong")).to_have_text("6")
    expect(page.locator("#needs")).to_contain_text(food)
    # Whole years or quarters only: no day can be chosen.
    expect(page.locator("select[name='quarter']")).to_be_visible()
    expect(page.locator("main input[type='date']")).to_have_count(0)
    path = screenshot(page, "findings")
    FINDINGS_SHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, FINDINGS_SHOT)
    console.assert_clean()
