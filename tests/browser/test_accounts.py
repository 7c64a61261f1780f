"""Signing in from a real browser: two-factor set-up, the language switch, a partner's limits."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from civharm.incidents.models import Incident
from tests.browser.conftest import code_from_secret, fill_login_form
from tests.browser.watch import ConsoleWatch
from tests.web.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_sets_up_two_factor_sees_backup_codes_and_reaches_overview(
    page: Page, live_server: object, console: ConsoleWatch, screenshot: Callable
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    user = make_user("analyst")
    fill_login_form(page, base_url, user.username)
    expect(page).to_have_url(f"{base_url}/accounts/two-factor/")
    screenshot(page, "two-factor-setup")
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.fill("#id_code", code_from_secret(secret))
    page.locator("main form button").click()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    assert all(code.isdigit() and len(code) == 8 for code in codes.all_inner_texts())
    screenshot(page, "backup-codes")
    page.locator("main a.button.primary").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_have_text("Vue d'ensemble")
    screenshot(page, "overview-analyst")
    console.assert_clean()


def test_one_click_switches_the_page_from_french_to_english(
    page: Page, log_in: Callable, console: ConsoleWatch, screenshot: Callable
) -> None:
    log_in(page, "field_researcher")
    navigation, account = page.locator("header nav"), page.locator("header .account")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(navigation).to_contain_text("Registre")
    expect(account).to_contain_text("Se déconnecter")
    screenshot(page, "overview-fr")
    account.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(navigation).to_contain_text("Register")
    expect(account).to_contain_text("Log out")
    expect(account.get_by_role("button", name="Français")).to_be_visible()
    screenshot(page, "overview-en")
    console.assert_clean()


def test_partner_sees_overview_but_no_incident_and_api_wants_a_token(
    page: Page, log_in: Callable, live_server: object, screenshot: Callable
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    incident = Incident.objects.create(date_start=datetime.date(2023, 1, 20), admin1_name="Gao")
    log_in(page, "partner")
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("h1")).to_be_visible()
    # The overview and the dashboard, both disclosure-controlled for partners
    expect(page.locator("header nav a")).to_have_count(2)
    screenshot(page, "overview-partner")
    response = page.goto(f"{base_url}/incidents/{incident.pk}/")
    assert response is not None and response.status == 403
    screenshot(page, "incident-forbidden-partner")
    anonymous = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        api = anonymous.request.get(f"{base_url}/api/incidents/{incident.pk}/persons")
        assert api.status == 401, api.status
        assert "pseudonym" not in api.text()
    finally:
        anonymous.close()
