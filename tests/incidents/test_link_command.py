"""`civharm link` as a user runs it: counts for machines (--json) and people, errors for people."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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
    # a state, given as it is once both kinds are linked (the victims' persons just merged)
    assert counts["incident"]["persons_placed"] == counts["person"]["persons_placed"]
    assert result.stderr == ""  # no progress display in --json mode
    again = json.loads(run_cli(cli_env, "link", "--kind", "incident", "--json").stdout)
    # the same register links the same way, with the model the first run trained
    assert again["incident"].pop("model_trained") == 0
    assert counts["incident"].pop("model_trained") == 1
    assert again == {"incident": counts["incident"]}


@pytest.mark.not_the_database
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


@pytest.mark.not_the_database
def test_only_a_role_that_may_review_links_as_itself(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "CIVHARM_PASSWORD": "a long demo passphrase 42"}
    run_cli(env, "createuser", "fieldworker", "--role", "field_researcher")
    refused = run_cli(env, "link", "--user", "fieldworker", check=False)
    assert refused.returncode != 0 and "may not link" in refused.stderr
    run_cli(env, "createuser", "analyst1", "--role", "analyst")
    counts = json.loads(run_cli(env, "link", "--user", "analyst1", "--json").stdout)
    assert counts["incident"]["records"] == 0


@pytest.mark.not_the_database
def test_an_empty_register_trains_nothing_and_says_so(cli_env: dict[str, str]) -> None:
    counts = json.loads(run_cli(cli_env, "link", "--json").stdout)
    assert [counts[kind]["model_trained"] for kind in ("incident", "person")] == [0, 0]
    table = run_cli(cli_env, "link").stdout
    assert "trained now" not in table and "previous run's" not in table


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_run_says_what_stands_and_leaves_nothing_behind(
    cli_env: dict[str, str], tmp_path: Path, stop: signal.Signals
) -> None:
    """Ctrl-C or a SIGTERM while persons are being linked: the incidents linked before stand,
    the persons are as before, the run is marked failed, and the engine's scratch folder
    (decrypted names) is gone. One message, no stack trace, exit code 130."""
    _import_sources(cli_env, tmp_path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    command = [sys.executable, "-m", "civharm.cli", "link", "--retrain"]
    env = {**cli_env, "TMPDIR": str(scratch)}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("persons: "):  # a step of the second kind has begun
            process.send_signal(stop)
            break
    rest = process.stderr.read()
    assert process.wait(timeout=120) == 130, "".join(lines) + rest
    assert "Traceback" not in rest
    assert "the persons are as they were before this run" in rest
    assert "The incidents were linked and saved." in rest
    assert list(scratch.glob("civharm-linkage-*")) == []
    runs = json.loads(run_cli(cli_env, "link", "--kind", "incident", "--json").stdout)
    assert runs["incident"]["model_trained"] == 0  # the incidents' run before the stop stood


@pytest.mark.not_the_database
def test_running_out_of_memory_is_a_message_with_what_to_set(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    _import_sources(cli_env, tmp_path)
    env = {**cli_env, "CIVHARM_DUCKDB_MEMORY_LIMIT": "2MB", "CIVHARM_DUCKDB_MAX_SPILL": "0MB"}
    result = run_cli(env, "link", "--kind", "person", check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "ran out of memory" in result.stderr and "CIVHARM_DUCKDB_MEMORY_LIMIT" in result.stderr
    assert "select" not in result.stderr.lower()  # no SQL from the engine either


@pytest.mark.not_the_database
def test_a_data_folder_that_is_a_file_or_no_password_to_ask_for_is_a_sentence(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    result = run_cli({**cli_env, "CIVHARM_DATA": str(a_file)}, "link", check=False)
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    assert "Traceback" not in result.stderr
    run_cli(
        {**cli_env, "CIVHARM_PASSWORD": "a long demo passphrase 42"},
        "createuser",
        "ana",
        "--role",
        "analyst",
    )
    asked = subprocess.run(
        [sys.executable, "-m", "civharm.cli", "link", "--user", "ana"],
        env=cli_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert asked.returncode != 0 and "Traceback" not in asked.stderr
    assert "set CIVHARM_PASSWORD" in asked.stderr
