"""Regional aggregates of the API: exact and filtered for staff; for partners, the cells of
the one published release, with every filter refused (the reviewer's differencing attack)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from civharm.analysis.published import partner_release, published_value
from tests.api.conftest import ApiClient, make_incident

Api = Callable[[str], ApiClient]
KIDAL, MOPTI = ("ML08", "Kidal"), ("ML05", "Mopti")
KIDAL_CERCLE = ("ML0801", "Kidal")


@pytest.fixture
def kidal(db: None) -> None:
    """The reviewer's case: Kidal, 2 incidents (5 killed) on 2019-12-01, 11 (14 killed) after;
    Mopti, 6 incidents; one merged and one discounted incident that never count."""
    for killed in (2, 3):
        make_incident(day=date(2019, 12, 1), admin1=KIDAL, admin2=KIDAL_CERCLE, killed=killed,
                      reports=0, persons=0)  # fmt: skip
    for n in range(11):
        make_incident(day=date(2019, 12, 2 + n), admin1=KIDAL, admin2=KIDAL_CERCLE,
                      killed=(2 if n < 3 else 1), reports=0, persons=0)  # fmt: skip
    for n in range(6):
        make_incident(day=date(2020, 1, 1 + n), admin1=MOPTI, killed=3, reports=0, persons=0)
    survivor = make_incident(day=date(2020, 2, 1), admin1=MOPTI, killed=3, reports=0, persons=0)
    merged = make_incident(day=date(2020, 2, 1), admin1=MOPTI, killed=3, reports=0, persons=0)
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into"])
    make_incident(admin1=MOPTI, grade="discounted", reports=0, persons=0)


def _regions(body: dict) -> dict[str, dict]:
    return {region["admin1_pcode"]: region for region in body["regions"]}


def _figures(client: ApiClient, **params: str) -> tuple[int, int]:
    response = client.get("/api/aggregates/by-region", **params)
    assert response.status_code == 200, response.content
    kidal = _regions(response.json())["ML08"]
    return kidal["incidents"], kidal["killed_best"]


def test_the_reviewers_day_level_differencing_is_refused_to_partners(
    kidal: None, api_as: Api
) -> None:
    analyst = api_as("analyst")
    # Staff keep exact filtered figures: this is the difference the reviewer worked out.
    assert _figures(analyst, date_from="2019-12-01") == (13, 19)
    assert _figures(analyst, date_from="2019-12-02") == (11, 14)
    partner = api_as("partner")
    for params in ({"date_from": "2019-12-01"}, {"date_from": "2019-12-02"},
                   {"date_to": "2019-12-31"}, {"region": "ML08"}):  # fmt: skip
        response = partner.get("/api/aggregates/by-region", **params)
        assert response.status_code == 400
        assert "subtracted" in response.json()["detail"]
    # What partners do get is one unfiltered table; no second one exists to subtract.
    assert _figures(partner) == (13, 19)


def test_partner_aggregates_are_cells_of_the_published_release(kidal: None, api_as: Api) -> None:
    body = api_as("partner").get("/api/aggregates/by-region").json()
    release = partner_release()
    assert body["threshold"] == release.threshold == 5
    regions = _regions(body)
    assert set(regions) == {"ML08", "ML05"}
    for pcode, region in regions.items():
        assert region["incidents"] == published_value(release, "incidents", "region", pcode)
        assert region["killed_best"] == published_value(release, "killed", "region", pcode)
    # Mopti: 7 live incidents (the merged and the discounted ones are not counted), 21 killed.
    assert (regions["ML05"]["incidents"], regions["ML05"]["killed_best"]) == (7, 21)
    assert regions["ML05"]["admin1_name"] == "Mopti" and not regions["ML05"]["suppressed"]


def test_a_small_region_is_withheld_for_partners_and_exact_for_staff(db: None, api_as: Api) -> None:
    for n in range(6):
        make_incident(day=date(2022, 3, 1 + n), admin1=MOPTI, killed=5, reports=0, persons=0)
    for n in range(5):
        make_incident(day=date(2022, 3, 1 + n), reports=0, persons=0)  # Ségou: 5 x 12
    make_incident(admin1=KIDAL, admin2=KIDAL_CERCLE, killed=1, reports=0, persons=0)
    partner = _regions(api_as("partner").get("/api/aggregates/by-region").json())
    assert partner["ML08"]["incidents"] is None and partner["ML08"]["suppressed"]
    shown = [v for r in partner.values() for v in (r["incidents"], r["killed_best"]) if v]
    assert not any(0 < value < 5 for value in shown)
    staff = _regions(api_as("analyst").get("/api/aggregates/by-region").json())
    assert (staff["ML08"]["incidents"], staff["ML08"]["killed_best"]) == (1, 1)
    assert not staff["ML08"]["suppressed"]
