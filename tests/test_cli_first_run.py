"""A new user's first command creates and migrates the database by itself."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_the_first_command_creates_the_database(fresh_cli_env: dict[str, str]) -> None:
    result = run_cli(fresh_cli_env, "link", "--kind", "person", "--json")
    assert json.loads(result.stdout)["person"]["records"] == 0
    assert "Traceback" not in result.stderr
