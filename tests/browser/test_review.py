"""Reviewing an incident from a real browser, then finding it through the register's htmx filter."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from civharm.incidents.models import Incident
from tests.browser.watch import ConsoleWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def review(page: Page, kind: str) -> None:
    page.locator(f"form[action$='/review/{kind}/'] button").click()
    expect(page.locator("main p.message.success")).to_be_visible()


def test_analyst_reviews_an_incident_and_finds_it_among_approved_ones(
    page: Page, log_in: Callable, live_server: object, console: ConsoleWatch, screenshot: Callable
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    incident = Incident.objects.create(
        date_start=datetime.date(2023, 1, 20), admin1_name="Gao", latitude=16.27, longitude=-0.04
    )
    Incident.objects.create(date_start=datetime.date(2023, 2, 2), admin1_name="Mopti")
    analyst = log_in(page, "analyst")
    page.goto(f"{base_url}/incidents/{incident.pk}/")
    page.select_option("#assign_assignee", analyst.username)
    review(page, "assign")
    page.fill("#comment_text", "Deux sources concordent.")
    review(page, "comment")
    page.select_option("#grade_grade", "confirmed")
    review(page, "grade")
    review(page, "approve")
    events = page.locator("ol.review-events li")
    expect(events).to_have_count(4)
    for event in events.all():
        expect(event).to_contain_text(analyst.username)
    expect(page.locator("table.history tbody")).to_contain_text(analyst.username)
    expect(page.locator("h1 .status")).to_have_class(re.compile(r"status-approved"))
    screenshot(page, "incident-reviewed")
    incident.refresh_from_db()
    assert (incident.review_status, incident.assessment_grade) == ("approved", "confirmed")

    page.goto(f"{base_url}/incidents/")
    expect(page.locator("#register-count")).to_have_text("2")
    with page.expect_response(
        lambda r: "status=approved" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.select_option("#id_status", "approved")
    expect(page.locator("#register-count")).to_have_text("1")
    expect(page.locator("table.register tbody")).to_contain_text(incident.code)
    expect(page).to_have_url(re.compile(r"status=approved"))
    screenshot(page, "register-approved")
    console.assert_clean()
