"""`civharm link` as a user runs it: counts for machines (--json) and people, errors for people."""

from __future__ import annotations

import json
from pathlib import Path

from civharm.demo import generate_demo
from tests.conftest import run_cli
from tests.incidents.factories import write_acled
from tests.incidents.test_linking import (
    DEMO_SCALE,
    DEMO_SEED,
    DEMO_VICTIM_LISTS,
    write_field_reports,
)

COUNTS = {"records", "clusters", "links", "review_pairs"}


def _import_sources(env: dict[str, str], folder: Path) -> None:
    run_cli(env, "import", "acled", str(write_acled(folder / "acled.csv")))
    reports = write_field_reports(folder / "entretiens.csv")
    run_cli(env, "import", "reports", str(reports), "--source", "Entretiens test")
    truth = generate_demo(folder / "demo", seed=DEMO_SEED, scale=DEMO_SCALE)
    for file_name, source in DEMO_VICTIM_LISTS.items():
        run_cli(env, "import", "victims", str(truth.path(file_name)), "--source", source)


def test_link_json_gives_the_counts_of_both_kinds(cli_env: dict[str, str], tmp_path: Path) -> None:
    _import_sources(cli_env, tmp_path)
    result = run_cli(cli_env, "link", "--json")
    counts = json.loads(result.stdout)
    assert set(counts) == {"incident", "person"}
    assert set(counts["incident"]) >= COUNTS and set(counts["person"]) >= COUNTS
    assert counts["incident"]["records"] == 7 and counts["incident"]["clusters"] < 7
    assert counts["person"]["clusters"] < counts["person"]["records"]
    assert result.stderr == ""  # no progress display in --json mode
    again = json.loads(run_cli(cli_env, "link", "--kind", "incident", "--json").stdout)
    # the same register links the same way, with the model the first run trained
    assert again["incident"].pop("model_trained") == 0
    assert counts["incident"].pop("model_trained") == 1
    assert again == {"incident": counts["incident"]}


def test_link_shows_its_steps_and_a_summary(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "acled.csv")))
    reports = write_field_reports(tmp_path / "entretiens.csv")
    run_cli(cli_env, "import", "reports", str(reports), "--source", "Entretiens test")
    result = run_cli(cli_env, "link", "--kind", "incident")
    assert "incidents: " in result.stderr  # one line per step when not on a terminal
    assert "pairs waiting for review" in result.stdout and "7" in result.stdout


def test_link_help_has_an_example(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "link", "--help")
    assert "civharm link --kind person --json" in result.stdout
    assert "link" in run_cli(cli_env, "--help").stdout


def test_an_unknown_engine_is_an_error_for_people(cli_env: dict[str, str]) -> None:
    result = run_cli(cli_env, "link", "--engine", "oracle", check=False)
    assert result.returncode != 0
    assert "oracle" in result.stderr and "duckdb" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_a_role_that_may_review_links_as_itself(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "CIVHARM_PASSWORD": "a long demo passphrase 42"}
    run_cli(env, "createuser", "fieldworker", "--role", "field_researcher")
    refused = run_cli(env, "link", "--user", "fieldworker", check=False)
    assert refused.returncode != 0 and "may not link" in refused.stderr
    run_cli(env, "createuser", "analyst1", "--role", "analyst")
    counts = json.loads(run_cli(env, "link", "--user", "analyst1", "--json").stdout)
    assert counts["incident"]["records"] == 0


def test_an_empty_register_trains_nothing_and_says_so(cli_env: dict[str, str]) -> None:
    counts = json.loads(run_cli(cli_env, "link", "--json").stdout)
    assert [counts[kind]["model_trained"] for kind in ("incident", "person")] == [0, 0]
    table = run_cli(cli_env, "link").stdout
    assert "trained now" not in table and "previous run's" not in table
