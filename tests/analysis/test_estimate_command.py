"""`civharm estimate` as a user runs it: on the register's linked lists, or on a histories file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civharm.demo import generate_demo
from tests.conftest import run_cli

KOREA = "b,c,d,Count\n0,0,1,41\n0,1,0,5\n1,0,0,5\n1,1,0,54\n1,0,1,6\n0,1,1,0\n1,1,1,12\n"
DEMO_LISTS = {
    "liste_victimes_ong.csv": "Liste de victimes ONG (démo)",
    "un_victim_list.xlsx": "UN victim list (demo)",
    "liste_association_victimes.csv": "Association des familles de victimes (démo)",
}


def test_a_histories_file_gives_rounded_figures_as_json(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "korea.csv"
    path.write_text(KOREA, encoding="utf-8")
    result = run_cli(
        cli_env, "estimate", "--histories", str(path), "--method", "loglinear", "--json"
    )
    summary = json.loads(result.stdout)
    assert summary["documented"] == 123 and summary["lists"] == ["b", "c", "d"]
    (estimate,) = summary["estimates"]
    assert estimate["method"] == "loglinear" and estimate["documented"] == 123
    # Published: 157 (128–349); the figures are rounded as the interval warrants (to tens).
    assert 128 <= estimate["total"] <= 349 and estimate["total"] % 10 == 0
    assert estimate["low"] <= estimate["total"] <= estimate["high"]
    assert estimate["undocumented"] == estimate["total"] - 123
    assert result.stderr == ""


@pytest.mark.not_the_database
def test_mistakes_are_errors_for_people(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("A,B,count\n1,0,5\n1,1,beaucoup\n", encoding="utf-8")
    result = run_cli(cli_env, "estimate", "--histories", str(path), check=False)
    assert result.returncode != 0
    assert "bad.csv, row 3, column count" in result.stderr and "Traceback" not in result.stderr
    result = run_cli(cli_env, "estimate", "--by", "ethnicity", check=False)
    assert result.returncode != 0
    assert "ethnicity" in result.stderr and "region" in result.stderr
    result = run_cli(cli_env, "estimate", check=False)  # an empty register
    assert result.returncode != 0 and "civharm import victims" in result.stderr


def test_the_register_is_estimated_by_region_from_linked_lists(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    truth = generate_demo(tmp_path / "demo", seed=2024, scale=0.3)
    for file_name, source in DEMO_LISTS.items():
        run_cli(cli_env, "import", "victims", str(truth.path(file_name)), "--source", source)
    run_cli(cli_env, "link", "--kind", "person")
    result = run_cli(cli_env, "estimate", "--by", "region", "--method", "loglinear", "--json")
    summary = json.loads(result.stdout)
    assert summary["lists"] == sorted(DEMO_LISTS.values())
    strata = [e for e in summary["estimates"] if not e["is_total"]]
    (total,) = [e for e in summary["estimates"] if e["is_total"]]
    assert {tuple(e["key"]) for e in strata} >= {("Mopti",)}
    assert total["documented"] == summary["documented"] == sum(e["documented"] for e in strata)
    killed = sum(1 for v in truth.victims if v.harm_type == "killed")
    assert total["documented"] < killed  # linked persons: fewer than the lists' rows
    # Every stratum is estimated, or says why not: never a silent absurd number.
    for estimate in strata:
        assert estimate["total"] is not None or estimate["warning_codes"]
    assert [row["threshold"] for row in summary["linkage_sensitivity"]] == [0.6, 0.95, 0.99]


def test_help_has_examples(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "estimate", "--help")
    assert "civharm estimate --by region,year --method both" in result.stdout
    assert "estimate" in run_cli(cli_env, "--help").stdout
