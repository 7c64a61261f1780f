"""Filing a report by hand and importing a file, from a real browser (htmx included)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from civharm.incidents.models import HarmCount, Incident, Report
from tests.browser.watch import ConsoleWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_ROWS = [
    ["Référence", "Date", "Lieu", "Cercle", "Région", "Tués", "Blessés", "Auteur présumé", "Note"],
    ["B-1", "14/03/2022", "Niono", "Niono", "Ségou", "20-30", "2", "FAMa", "x"],
    ["B-2", "31/02/2022", "Bandiagara", "Bandiagara", "Mopti", "4", "", "JNIM", "y"],
    ["B-3", "mars 2023", "Ménaka", "Ménaka", "Gao", "environ 12", "", "EIGS", "z"],
]


def reports_csv() -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(REPORT_ROWS)
    return text.getvalue().encode("utf-8")


def test_field_researcher_files_a_report_with_the_place_autocomplete(
    page: Page, log_in: Callable, live_server: object, console: ConsoleWatch, screenshot: Callable
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    log_in(page, "field_researcher")
    page.goto(f"{base_url}/reports/new/")
    page.fill("#id_date", "14/03/2022")
    page.locator("#id_place").press_sequentially("segou", delay=30)
    town = page.locator("#place-suggestions button").filter(
        has=page.locator(".where", has_text="Ségou, Ségou")
    )
    expect(town).to_have_count(1)
    screenshot(page, "report-form-suggestions")
    town.click()
    expect(page.locator("#id_place")).to_have_value("Ségou")
    expect(page.locator("#id_admin2")).to_have_value("Ségou")
    expect(page.locator("#id_admin1")).to_have_value("Ségou")
    page.fill("#id_killed", "20-30")
    screenshot(page, "report-form-filled")
    page.locator("form.entry button.primary").click()
    expect(page).to_have_url(re.compile(r"/incidents/\d+/$"))
    killed = page.locator("table.harm tbody tr").first.locator("td.num")
    expect(killed.nth(0)).to_have_text("20")
    expect(killed.nth(2)).to_have_text("30")
    screenshot(page, "incident-filed")
    incident = Incident.objects.get()
    assert (incident.place_name, incident.admin1_name) == ("Ségou", "Ségou")
    count = HarmCount.objects.get(incident=incident, harm_type="killed")
    assert (count.low, count.high) == (20, 30)
    console.assert_clean()


def test_analyst_previews_an_import_with_a_bad_row_then_confirms_it(
    page: Page, log_in: Callable, live_server: object, console: ConsoleWatch, screenshot: Callable
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    log_in(page, "analyst")
    page.goto(f"{base_url}/reports/import/")
    page.select_option("#id_source_format", "reports")
    page.fill("#id_source_name", "ONG navigateur")
    page.set_input_files(
        "#id_file", {"name": "rapports.csv", "mimeType": "text/csv", "buffer": reports_csv()}
    )
    screenshot(page, "import-upload")
    page.locator("form.entry button.primary").click()
    expect(page).to_have_url(re.compile(r"/reports/import/[^/]+/$"))
    errors = page.locator("table.errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(1)).to_have_text("3")
    expect(errors.first.locator("td").nth(2)).to_have_text("Date")
    mapping = page.locator("table").nth(0)
    expect(mapping.locator("tr", has_text="Tués")).to_contain_text("killed")
    expect(mapping.locator("tr.unrecognised")).to_contain_text("Note")
    screenshot(page, "import-preview")
    assert Report.objects.count() == Incident.objects.count() == 0
    page.locator("form[action$='/confirm/'] button").click()
    figures = page.locator(".figures strong")
    expect(figures.nth(0)).to_have_text("2")  # imported
    expect(figures.nth(2)).to_have_text("1")  # rejected
    screenshot(page, "import-outcome")
    assert Report.objects.count() == 2
    assert sorted(Report.objects.values_list("record_id", flat=True)) == ["B-1", "B-3"]
    console.assert_clean()
