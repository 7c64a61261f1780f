"""The Estimates page: documented vs estimated by stratum, chart, caveats; who may see and run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from django.test import Client

from civharm.analysis.estimates import run_estimates
from civharm.estimation.loglinear import LoglinearOptions


def _histories_run(tmp_path: Path) -> int:
    path = tmp_path / "three-lists.csv"
    path.write_text(
        "ONU,ONG,Association,nombre\n1,0,0,60\n0,1,0,45\n0,0,1,50\n1,1,0,20\n1,0,1,22\n"
        "0,1,1,18\n1,1,1,8\n",
        encoding="utf-8",
    )
    run = run_estimates(
        user="analyst-user",
        histories_file=path,
        methods=("loglinear",),
        options={"loglinear": LoglinearOptions(seed=1)},
    )
    return run.pk


def test_the_page_shows_documented_and_estimated_with_a_chart(
    client_for: Callable[[str], Client], tmp_path: Path
) -> None:
    run_id = _histories_run(tmp_path)
    page = client_for("field_researcher").get("/estimates/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="run-{run_id}"' in html and "three-lists.csv" in html
    assert "<svg" in html and "Documented and estimated victims" in html
    assert "ONU" in html and "Association" in html  # the lists used
    assert "223 documented persons" in html
    assert "Read these figures with care" in html  # the caveats
    assert "Run a new estimate" not in html  # a field researcher may look, not run


def test_the_figures_download_rounded(client_for: Callable[[str], Client], tmp_path: Path) -> None:
    run_id = _histories_run(tmp_path)
    response = client_for("analyst").get(f"/estimates/{run_id}/figures.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    (row,) = rows
    assert row["method"] == "loglinear" and row["documented"] == "223"
    total, low, high = int(row["total"]), int(row["low"]), int(row["high"])
    assert low <= total <= high and total >= 223
    assert total % 10 == 0  # rounded as the interval warrants, never five digits of noise


def test_partners_see_no_estimate_until_disclosure_control(
    client_for: Callable[[str], Client], tmp_path: Path
) -> None:
    run_id = _histories_run(tmp_path)
    partner = client_for("partner")
    assert partner.get("/estimates/").status_code == 403
    assert partner.get(f"/estimates/{run_id}/figures.csv").status_code == 403


def test_only_analysts_run_an_estimate(client_for: Callable[[str], Client]) -> None:
    assert client_for("trainer").post("/estimates/run/", {"method": "loglinear"}).status_code == 403
    analyst = client_for("analyst")
    response = analyst.post("/estimates/run/", {"method": "loglinear"}, follow=True)
    assert response.status_code == 200
    assert "no victim records to estimate from" in response.content.decode()


def test_an_empty_page_says_how_to_estimate(client_for: Callable[[str], Client]) -> None:
    html = client_for("analyst").get("/estimates/").content.decode()
    assert 'id="no-estimate"' in html and "civharm estimate" in html
    assert "Run a new estimate" in html
