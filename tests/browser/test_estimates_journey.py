"""Estimating from a real browser: an analyst runs an estimate by region on three linked lists
and reads documented vs estimated, the chart and the caveats, then downloads the figures."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from civharm.demo import generate_demo
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.linking import run_linkage
from tests.analysis.test_estimate_command import DEMO_LISTS
from tests.browser.watch import ConsoleWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _linked_lists(tmp_path: Path) -> None:
    truth = generate_demo(tmp_path / "demo", seed=2024, scale=0.3)
    for file_name, source in DEMO_LISTS.items():
        import_file(truth.path(file_name), "victims", source_name=source, in_background=False)
    run_linkage("person", user="test")


def test_analyst_estimates_by_region_and_reads_the_chart(
    page: Page,
    log_in: Callable,
    live_server: object,
    console: ConsoleWatch,
    screenshot: Callable,
    tmp_path: Path,
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    _linked_lists(tmp_path)
    log_in(page, "analyst")
    page.goto(f"{base_url}/")
    page.locator("header nav a[href='/estimates/']").click()
    expect(page.locator("#no-estimate")).to_be_visible()

    page.locator("input[name='by'][value='region']").check()
    page.locator("select[name='method']").select_option("loglinear")
    page.locator("section.estimate-new button[type='submit']").click()
    expect(page).to_have_url(re.compile(r"/estimates/\d+/$"))
    expect(page.locator("main p.message.success")).to_be_visible()
    expect(page.locator("figure.estimate-chart svg")).to_be_visible()
    expect(page.locator("table.estimates tbody tr", has_text="Mopti").first).to_be_visible()
    expect(page.locator("table.estimates tr.total")).to_have_count(1)
    expect(page.locator(".estimate-lists")).to_contain_text("UN victim list (demo)")
    expect(page.locator("section.caveats")).to_be_visible()
    screenshot(page, "estimates")

    with page.expect_download() as download:
        page.locator("a[href$='figures.csv']").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[-1]["stratum"] == "total" and int(rows[-1]["documented"]) > 50
    console.assert_clean()
