"""Test set-up shared by the whole suite: a private data folder and field key per run, and
helpers to run the real `civharm` command in a subprocess against its own database.

Runs on SQLite by default and on PostgreSQL when DATABASE_URL is set (./dev test does both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings_test")

from civharm.core import i18n

i18n.activate("en")  # messages asserted in English; tests/test_translations.py covers French

# ../shared beside the checkout holds public test data (real ACLED events: tests only).
SHARED = Path(os.environ.get("CIVHARM_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _scratch_postgres_database(base_url: str, template: str | None = None) -> tuple[str, str]:
    import psycopg

    name = f"civharm_cli_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return name, base_url.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _base_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CIVHARM_DATA"] = str(folder)
    env["CIVHARM_LANG"] = "en"  # assertions read English; French has its own tests
    return env


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | str]:
    """One database migrated once per session (a SQLite file, or a PostgreSQL database used
    as a template): each CLI test starts from a copy instead of migrating its own, which
    cost a few seconds per test. tests/test_cli_first_run.py keeps first use covered."""
    folder = tmp_path_factory.mktemp("migrated") / "data"
    env = _base_env(folder)
    base_url = os.environ.get("DATABASE_URL")
    name = None
    if base_url:
        name, env["DATABASE_URL"] = _scratch_postgres_database(base_url)
    subprocess.run(
        [sys.executable, "-m", "civharm.cli", "migrate"], env=env, check=True, capture_output=True
    )
    yield name or folder
    if base_url and name:
        _drop_postgres_database(base_url, name)


@pytest.fixture
def cli_env(tmp_path: Path, migrated_database: Path | str) -> Iterator[dict[str, str]]:
    """Environment for a `civharm` subprocess with its own data folder and database."""
    env = _base_env(tmp_path / "data")
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        assert isinstance(migrated_database, Path)
        Path(env["CIVHARM_DATA"]).mkdir(parents=True)
        for database_file in migrated_database.glob("civharm.sqlite3*"):
            shutil.copy2(database_file, Path(env["CIVHARM_DATA"]) / database_file.name)
        yield env
        return
    name, env["DATABASE_URL"] = _scratch_postgres_database(base_url, str(migrated_database))
    yield env
    _drop_postgres_database(base_url, name)


@pytest.fixture
def fresh_cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """As cli_env, but with no database at all: what a new user's first command meets."""
    env = _base_env(tmp_path / "fresh")
    base_url = os.environ.get("DATABASE_URL")
    if not base_url:
        yield env
        return
    name, env["DATABASE_URL"] = _scratch_postgres_database(base_url)
    yield env
    _drop_postgres_database(base_url, name)


def run_cli(
    env: dict[str, str], *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `civharm ARGS` as a user would; fail the test with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "civharm.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(f"civharm {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(autouse=True)
def _english_to_begin_with() -> None:
    """Each test starts in English: a page request leaves Django's language at the page's
    (French by default, LocaleMiddleware sets it and nothing resets it), and tests that ran
    after one in the same worker read French where they expected English."""
    from django.utils import translation

    translation.activate("en")
    i18n.activate("en")


@pytest.fixture(autouse=True)
def _private_audit_head(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Each test's database starts empty, so each gets its own audit head file."""
    settings.AUDIT_HEAD_FILE = tmp_path / "audit-head.json"
