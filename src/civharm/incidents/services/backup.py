"""Consistent backups and restores of the register's database.

SQLite: the online backup API (safe while the app runs), checked with integrity_check.
PostgreSQL: pg_dump / pg_restore in custom format. The field-encryption key is NOT in the
backup: keep it separately (docs/operations.md), or the names in the backup are unreadable.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection, connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    """A backup or restore could not be made or verified; the message says what to do."""


def backup(target: Path) -> None:
    target = Path(target)
    if target.exists():
        raise BackupError(_("{file} already exists: choose a new file name").format(file=target))
    if connection.vendor == "sqlite":
        _sqlite_backup(Path(str(connection.settings_dict["NAME"])), target)
    elif connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url()])
    else:
        raise BackupError(
            _("backups of a {vendor} database are not supported").format(vendor=connection.vendor)
        )


def restore(source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("{file} does not exist or is not a file").format(file=source))
    if connection.vendor == "sqlite":
        _sqlite_restore(source, Path(str(connection.settings_dict["NAME"])))
    elif connection.vendor == "postgresql":
        connections.close_all()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_pg_url()}",
                str(source),
            ]
        )
    else:
        raise BackupError(
            _("restoring a {vendor} database is not supported").format(vendor=connection.vendor)
        )


def _sqlite_backup(database: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(database) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    _check_sqlite(target)


def _sqlite_restore(source: Path, database: Path) -> None:
    _check_sqlite(source)
    connections.close_all()
    database.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as backup_db, sqlite3.connect(database) as live:
        backup_db.backup(live)
    _check_sqlite(database)


def _check_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            _("{file} is not a readable civharm SQLite backup ({reason})").format(
                file=path.name, reason=exc
            )
        ) from None
    if result != "ok":
        raise BackupError(
            _("{file} failed SQLite's integrity check: {result}").format(
                file=path.name, result=result
            )
        )
    if "incidents_report" not in tables:
        raise BackupError(
            _("{file} is an SQLite file but not a civharm register").format(file=path.name)
        )


def _pg_url() -> str:
    s = connection.settings_dict
    user = f"{s['USER']}@" if s.get("USER") else ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{user}{s.get('HOST') or ''}{port}/{s['NAME']}"


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            _("{tool} is not installed (Debian: apt-get install postgresql-client)").format(
                tool=command[0]
            )
        )
    env = None
    password = connection.settings_dict.get("PASSWORD")
    if password:
        import os

        env = {**os.environ, "PGPASSWORD": str(password)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("{tool} failed: {reason}").format(tool=command[0], reason=result.stderr.strip()[:500])
        )
