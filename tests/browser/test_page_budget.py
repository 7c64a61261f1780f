"""Every main page loads under the strict CSP without a console error, in under 300 KB."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from civharm.incidents.models import HarmCount, Incident
from tests.browser.watch import PAGE_BUDGET, ConsoleWatch, weigh_page_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN_PAGES = ("/", "/incidents/", "/incidents/{pk}/", "/reports/new/", "/reports/import/")


def test_main_pages_load_cleanly_under_the_size_budget(
    page: Page, log_in: Callable, live_server: object, console: ConsoleWatch, capsys: object
) -> None:
    base_url = live_server.url  # type: ignore[attr-defined]
    incident = Incident.objects.create(
        date_start=datetime.date(2023, 1, 20),
        admin1_name="Mopti",
        admin2_name="Bandiagara",
        latitude=14.35,
        longitude=-3.61,
    )
    HarmCount.objects.create(incident=incident, harm_type="killed", low=20, best=25, high=30)
    weights = [weigh_page_load(page, f"{base_url}/accounts/login/")]
    log_in(page, "analyst")
    for path in MAIN_PAGES:
        weights.append(weigh_page_load(page, base_url + path.format(pk=incident.pk)))
    with capsys.disabled():  # type: ignore[attr-defined]
        print("\n" + "\n".join(w.summary() for w in weights))
    too_heavy = [w.summary() for w in weights if w.body_bytes > PAGE_BUDGET]
    assert not too_heavy, too_heavy
    assert all(w.body_bytes > 0 for w in weights)
    console.assert_clean()
