"""Consistent backups and restores of the register's database.

SQLite: the online backup API (safe while the app runs), checked with integrity_check.
PostgreSQL: pg_dump / pg_restore in custom format. The field-encryption key is NOT in the
backup: keep it separately (docs/operations.md), or the names in the backup are unreadable.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
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
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _pg_url()])
    else:
        raise BackupError(
            _("backups of a {vendor} database are not supported").format(vendor=connection.vendor)
        )


def restore(source: Path) -> Path | None:
    """Replace the register with `source`, keeping a safety copy of the current one.

    The restored register must open with this installation's key, come from this or an older
    version of civharm, and carry an unbroken audit chain; otherwise the safety copy is put
    back and BackupError says why. Returns the safety copy's path (None for an empty register).
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("{file} does not exist or is not a file").format(file=source))
    if connection.vendor == "sqlite":
        _check_sqlite(source)
    safety = _safety_copy()
    try:
        _replace_database(source)
        _check_restored()
    except BaseException:
        if safety is not None:
            _replace_database(safety)
        raise
    return safety


def _safety_copy() -> Path | None:
    """A backup of the register about to be replaced, in DATA_DIR/backups/ (mode 600)."""
    if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
        return None
    folder = Path(settings.DATA_DIR) / "backups"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"before-restore-{stamp}.backup"
    backup(target)
    return target


def _replace_database(source: Path) -> None:
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_restore(source, Path(str(connection.settings_dict["NAME"])))
        return
    if connection.vendor != "postgresql":
        raise BackupError(
            _("restoring a {vendor} database is not supported").format(vendor=connection.vendor)
        )
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


def _check_restored() -> None:
    from civharm.accounts.audit import reset_head, verify_chain
    from civharm.incidents.services.database import ensure_database, unknown_migrations

    newer = unknown_migrations()
    if newer:
        raise BackupError(
            _(
                "this backup comes from a newer version of civharm ({migrations}): upgrade first"
            ).format(migrations=", ".join(newer[:3]))
        )
    ensure_database()  # upgrades an older backup in place, then checks the key's canary
    report = verify_chain(ignore_head=True)
    if report.broken_at is not None:
        raise BackupError(
            _("the audit trail in this backup is broken at entry {entry}: not restored").format(
                entry=report.broken_at
            )
        )
    reset_head()


def _sqlite_backup(database: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private from birth
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
        env = {**os.environ, "PGPASSWORD": str(password)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("{tool} failed: {reason}").format(tool=command[0], reason=result.stderr.strip()[:500])
        )
