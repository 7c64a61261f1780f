"""Reviewing linkage pairs from a real browser: queue, one pair, "different", the next pair."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from civharm.incidents.models import LinkCandidate, LinkDecision, LinkRun, Report
from civharm.incidents.services.importing import import_file
from tests.browser.watch import ConsoleWatch
from tests.incidents.factories import write_acled, write_victims

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pairs(tmp_path: Path) -> list[LinkCandidate]:
    """Three imported ACLED reports and two pairs; the 0.55 one is the most uncertain."""
    import_file(write_acled(tmp_path / "acled.csv"), "acled", in_background=False)
    first, second, third = Report.objects.order_by("pk")
    run = LinkRun.objects.create(
        kind="incident", engine="duckdb", started_by="test", status="complete"
    )
    return [
        LinkCandidate.objects.create(
            kind="incident", left=first, right=second, probability=0.55, run=run
        ),
        LinkCandidate.objects.create(
            kind="incident", left=second, right=third, probability=0.2, run=run
        ),
    ]


def _person_pair(tmp_path: Path) -> LinkCandidate:
    """The factory's victim list imported, and its first two records as an uncertain pair."""
    import_file(
        write_victims(tmp_path / "ong.csv"), "victims", source_name="ONG", in_background=False
    )
    first, second, _third = Report.objects.order_by("pk")
    run = LinkRun.objects.create(kind="person", engine="duckdb", started_by="test")
    return LinkCandidate.objects.create(
        kind="person", left=first, right=second, probability=0.48, run=run
    )


def test_analyst_rejects_a_pair_and_lands_on_the_next_one(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
    tmp_path: Path,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    uncertain, following = _pairs(tmp_path)
    analyst = log_in(page, "analyst")
    page.goto(f"{base_url}/")
    page.locator("header nav a[href='/linkage/']").click()
    expect(page).to_have_url(re.compile(r"/linkage/$"))
    expect(page.locator("#queue-count")).to_have_text("2")
    rows = page.locator("table.linkage-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(uncertain.left.record_id)
    screenshot(page, "linkage-queue")

    rows.first.locator("a.button").click()
    expect(page).to_have_url(re.compile(rf"/linkage/{uncertain.pk}/"))
    expect(page.locator("#pair-probability")).to_have_text(re.compile(r"55\s?%"))
    expect(page.locator("table.pair-compare tr.differs").first).to_be_visible()
    page.fill("textarea[name='note']", "Dates et lieux différents.")
    screenshot(page, "linkage-pair")

    page.locator("button[name='decision'][value='no_match']").click()
    expect(page).to_have_url(re.compile(rf"/linkage/{following.pk}/"))
    expect(page.locator("main p.message.success")).to_be_visible()
    expect(page.locator("#pair-probability")).to_have_text(re.compile(r"20\s?%"))
    screenshot(page, "linkage-next-pair")
    decision = LinkDecision.objects.get()
    assert (decision.decision, decision.decided_by) == ("no_match", analyst.username)
    assert decision.note == "Dates et lieux différents."
    console.assert_clean()


def test_analyst_compares_two_victim_records_by_pseudonym_and_name(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
    tmp_path: Path,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    pair = _person_pair(tmp_path)
    first = pair.left
    log_in(page, "analyst")
    page.goto(f"{base_url}/linkage/?kind=person")
    page.locator("table.linkage-queue tbody a.button").click()
    expect(page).to_have_url(re.compile(rf"/linkage/{pair.pk}/\?kind=person"))
    table = page.locator("table.pair-compare")
    expect(table).to_contain_text(first.victim_record.person.pseudonym)
    expect(table).to_contain_text("KONAT")  # a generated person of the factory list
    screenshot(page, "linkage-person-pair")
    console.assert_clean()


def test_analyst_splits_a_merged_person_off_and_takes_the_split_back(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
    tmp_path: Path,
) -> None:
    """ "same" on a pair of victim records, then from the queue: the person counted from both,
    "Split off", confirmed; then the decisions page and "Change to same": one person again."""
    base_url = live_server.url  # type: ignore[attr-defined]
    pair = _person_pair(tmp_path)
    first, second = pair.left, pair.right
    log_in(page, "analyst")
    page.goto(f"{base_url}/linkage/{pair.pk}/")
    page.locator("button[name='decision'][value='match']").click()
    expect(page.locator("main p.message.success")).to_be_visible()

    page.goto(f"{base_url}/linkage/")
    page.locator("a[href='/linkage/persons/']").click()
    expect(page.locator("#persons-count")).to_have_text("1")
    person = first.victim_record.person  # type: ignore[attr-defined]
    person.refresh_from_db()
    expect(page.locator("main")).to_contain_text(person.pseudonym)
    expect(page.locator("main")).not_to_contain_text("KONAT")
    screenshot(page, "linkage-persons")
    page.locator("main form button").first.click()
    expect(page.locator("#linked-with")).to_have_text("1")
    screenshot(page, "linkage-split-confirm")
    page.locator("main form button.primary").click()
    expect(page).to_have_url(re.compile(r"/linkage/persons/\?page=1$"))
    expect(page.locator("#persons-count")).to_have_text("0")

    page.goto(f"{base_url}/linkage/")
    page.locator("a[href='/linkage/decisions/']").click()
    change = page.locator("main form:has(input[name='decision'][value='match']) button")
    expect(change).to_have_count(1)
    screenshot(page, "linkage-decisions")
    change.click()
    expect(page.locator("main p.message.success")).to_be_visible()
    people = {
        report.victim_record.person_id
        for report in Report.objects.filter(pk__in=[first.pk, second.pk])
    }  # type: ignore[attr-defined]
    assert len(people) == 1
    console.assert_clean()
