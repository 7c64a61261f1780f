"""A `kill -9` at any moment of an import, then the same command again: every row once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civharm.demo import write_ucdp_rows
from tests.conftest import run_cli

ROWS = 20_000


def _committed_reports(env: dict[str, str]) -> int:
    query = "SELECT count(*), count(DISTINCT record_id) FROM incidents_report"
    if "DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            try:
                total, distinct = conn.execute(query).fetchone()  # type: ignore[misc]
            except psycopg.errors.UndefinedTable:  # tables not created yet
                return 0
    else:
        database = Path(env["CIVHARM_DATA"]) / "civharm.sqlite3"
        if not database.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                total, distinct = db.execute(query).fetchone()
        except sqlite3.OperationalError:  # tables not created yet
            return 0
    assert total == distinct, "a row was imported twice"
    return int(total)


def _kill_midway(env: dict[str, str], path: Path, after_rows: int) -> int:
    command = [sys.executable, "-m", "civharm.cli", "import", "ucdp", str(path)]
    process = subprocess.Popen(
        [*command, "--batch-size", "500", "--json"], env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    try:
        while (committed := _committed_reports(env)) < after_rows:
            if process.poll() is not None:
                pytest.fail(f"the import ended ({process.returncode}) before it could be killed")
            if time.monotonic() > deadline:
                pytest.fail("the import made no progress in 5 minutes")
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    return committed


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1, 9_000])
def test_kill_9_then_rerun_imports_every_row_exactly_once(
    cli_env: dict[str, str], tmp_path: Path, kill_after: int
) -> None:
    path = tmp_path / "ged.csv"
    write_ucdp_rows(path, ROWS, seed=7)
    _kill_midway(cli_env, path, kill_after)
    at_kill = _committed_reports(cli_env)
    assert 0 < at_kill < ROWS, "the kill did not land in the middle of the import"
    summary = json.loads(run_cli(cli_env, "import", "ucdp", str(path), "--json").stdout)
    assert summary["imported"] + summary["duplicates"] == ROWS
    assert summary["duplicates"] == at_kill
    assert _committed_reports(cli_env) == ROWS
    again = json.loads(run_cli(cli_env, "import", "ucdp", str(path), "--json").stdout)
    assert (again["imported"], again["duplicates"]) == (0, ROWS)
