"""The dashboard from a real browser: a partner gets the published tables of the whole
register (no filters), sees the cercle map drawn with a withheld cercle marked and downloads a
chart's data (withheld there too); an analyst then filters the exact figures by region."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from civharm.analysis.snapshot import forget_register_snapshot
from tests.browser.watch import ConsoleWatch
from tests.web.test_dashboard import MOPTI, REGISTER, build_register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOUENTZA = ("ML0504", "Douentza")
SCREENSHOT_COPY = Path("/tmp/h/dashboard.png")


def test_partner_reads_the_published_map_and_an_analyst_filters_by_region(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    forget_register_snapshot()
    build_register([*REGISTER, (MOPTI, DOUENTZA, 6, "fama", "ied_landmine", 2, 3, 2, "fair")])
    log_in(page, "partner")
    page.goto(f"{base_url}/dashboard/")
    expect(page.locator("#disclosure-note")).to_be_visible()
    expect(page.locator("#partner-note")).to_be_visible()
    expect(page.locator("form.dashboard-filters")).to_have_count(0)
    expect(page.locator("#choropleth[data-drawn='true']")).to_have_count(1)
    expect(page.locator("#choropleth path.cercle-withheld").first).to_be_attached()
    expect(page.locator("#chart-by_cercle tr.withheld th", has_text="Douentza")).to_have_count(1)
    expect(page.locator("a[href^='/incidents/']")).to_have_count(0)
    shutil.copyfile(screenshot(page, "dashboard"), SCREENSHOT_COPY)

    with page.expect_download() as download:
        page.locator("#chart-by_cercle a[href*='by_cercle.csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["ML0504"]["incidents"] == "" and rows["ML0504"]["note"]
    assert rows["ML0501"]["incidents"] in {"8", ""}  # shown, or withheld to protect Douentza

    page.context.clear_cookies()
    log_in(page, "analyst")
    page.goto(f"{base_url}/dashboard/")
    page.locator("select[name='region']").select_option("ML05")
    page.locator("form.dashboard-filters button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"region=ML05"))
    douentza = page.locator("#chart-by_cercle tr", has_text="Douentza")
    expect(douentza.locator("td").first).to_have_text("2")
    expect(page.locator("#partner-note")).to_have_count(0)
    console.assert_clean()
    forget_register_snapshot()
