"""Backup and restore through the real command, on SQLite or PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.incidents.factories import write_acled, write_victims


def test_backup_then_restore_brings_the_register_back(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    backup = tmp_path / "register.backup"
    run_cli(cli_env, "backup", str(backup))
    assert backup.stat().st_size > 0
    # Work after the backup, then restore: the later import must be gone, the earlier one back.
    run_cli(cli_env, "import", "victims", str(write_victims(tmp_path / "v.csv")), "--source", "ONG")
    run_cli(cli_env, "restore", str(backup), "--yes")
    out = tmp_path / "reports.csv"
    run_cli(cli_env, "export", "reports", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3 and all("ACLED:" in line for line in lines[1:])
    again = json.loads(
        run_cli(cli_env, "import", "acled", str(tmp_path / "a.csv"), "--json").stdout
    )
    assert again["duplicates"] == 3
    assert "intact" in run_cli(cli_env, "audit", "verify").stdout


def test_restore_refuses_a_file_that_is_not_a_backup(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bogus = tmp_path / "not-a-backup.sqlite3"
    bogus.write_text("hello", encoding="utf-8")
    result = run_cli(cli_env, "restore", str(bogus), "--yes", check=False)
    assert result.returncode != 0 and "Traceback" not in result.stderr


@pytest.mark.not_the_database
def test_backup_refuses_to_overwrite(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    existing = tmp_path / "exists.backup"
    existing.write_text("keep me", encoding="utf-8")
    result = run_cli(cli_env, "backup", str(existing), check=False)
    assert result.returncode != 0 and existing.read_text(encoding="utf-8") == "keep me"


@pytest.mark.not_the_database
def test_restore_asks_for_confirmation(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    backup = tmp_path / "register.backup"
    run_cli(cli_env, "backup", str(backup))
    refused = run_cli(cli_env, "restore", str(backup), check=False)
    assert refused.returncode != 0 and "--yes" in refused.stderr


@pytest.mark.not_the_database
def test_backups_are_private(cli_env: dict[str, str], tmp_path: Path) -> None:
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    backup = tmp_path / "register.backup"
    run_cli(cli_env, "backup", str(backup))
    assert backup.stat().st_mode & 0o077 == 0


def test_restore_under_another_key_is_refused_and_the_register_kept(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    if "DATABASE_URL" in cli_env:
        pytest.skip("needs a second register: SQLite only (the key check itself is shared code)")
    other = dict(cli_env, CIVHARM_DATA=str(tmp_path / "other"))
    run_cli(other, "import", "victims", str(write_victims(tmp_path / "v.csv")), "--source", "ONG")
    foreign = tmp_path / "foreign.backup"
    run_cli(other, "backup", str(foreign))
    run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    result = run_cli(cli_env, "restore", str(foreign), "--yes", check=False)
    assert result.returncode != 0 and "key" in result.stderr and "Traceback" not in result.stderr
    out = tmp_path / "reports.csv"
    run_cli(cli_env, "export", "reports", "-o", str(out))
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 3  # our register is back


@pytest.mark.not_the_database
def test_a_missing_key_file_is_refused_not_replaced(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_cli(cli_env, "import", "victims", str(write_victims(tmp_path / "v.csv")), "--source", "ONG")
    key = Path(cli_env["CIVHARM_DATA"]) / "keys" / "field.key"
    key.unlink()
    result = run_cli(cli_env, "export", "persons", "-o", str(tmp_path / "p.csv"), check=False)
    assert result.returncode != 0 and "key" in result.stderr
