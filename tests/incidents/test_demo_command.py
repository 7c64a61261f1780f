"""`civharm demo` as a new user runs it: builds the register, then serves the web app."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _persons(cli_env: dict[str, str], out: Path) -> list[str]:
    run_cli(cli_env, "export", "persons", "-o", str(out))
    return out.read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_demo_builds_a_linked_register_then_serves_it_and_a_second_run_adds_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """One journey, as building the demo is the suite's longest step: built, linked with
    pairs to review, exported; then `civharm demo` again, as the README runs it, which
    imports, links and estimates again (adding nothing) and serves the web app."""
    first = run_cli(cli_env, "demo", "--no-serve")
    assert "ACLED (demo)" in first.stdout and "The register as files" in first.stdout
    assert "Multiple systems estimates" in first.stdout and "Mopti" in first.stdout
    assert "pairs waiting for review" in first.stdout
    assert Path(cli_env["CIVHARM_DATA"], "demo-sources").is_dir()
    counts = json.loads(run_cli(cli_env, "link", "--json").stdout)  # again: the same register
    incidents, persons = counts["incident"], counts["person"]
    assert incidents["clusters"] < incidents["records"] and incidents["incidents_merged"] > 20
    assert persons["clusters"] < persons["records"] and persons["persons_merged"] > 20
    assert incidents["review_pairs"] > 0 and persons["review_pairs"] > 0
    persons_before = _persons(cli_env, tmp_path / "persons.csv")
    assert len(persons_before) > 300 and all(line.startswith("P-") for line in persons_before[1:])

    port = _free_port()
    process = subprocess.Popen(  # the real command, as the README runs it
        [sys.executable, "-m", "civharm.cli", "demo", "--port", str(port)],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as page:
                    assert page.status == 200 and b"csrfmiddlewaretoken" in page.read()
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "the demo did not start serving:\n"
                        + (process.stdout.read() if process.stdout else "")
                    )
                time.sleep(0.5)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    for username in ("demo-administrator", "demo-analyst", "demo-partner", "demo-field-researcher"):
        assert username in output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Relancer" not in output  # English, as asked by CIVHARM_LANG
    assert _persons(cli_env, tmp_path / "persons-again.csv") == persons_before
    summary = json.loads(
        run_cli(
            cli_env,
            "import",
            "acled",
            str(Path(cli_env["CIVHARM_DATA"]) / "demo-sources" / "acled_demo.csv"),
            "--source",
            "ACLED (demo)",
            "--json",
        ).stdout
    )
    assert summary["imported"] == 0 and summary["duplicates"] > 100
