"""French and English: every user-facing message is translated, and both languages work."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import i18n as catalogue_tool  # noqa: E402 — tools/ is not a package

PO = catalogue_tool.PO
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def test_every_message_in_the_code_has_a_french_translation() -> None:
    translated = {e.msgid: e for e in polib.pofile(str(PO)) if e.translated()}
    missing = sorted(
        {
            f"{where}: {msgid!r}"
            for msgid, _p, where in catalogue_tool.all_messages()
            if msgid not in translated
        }
    )
    assert not missing, (
        "untranslated (run tools/i18n.py extract, translate, compile):\n" + "\n".join(missing)
    )


def test_translations_keep_their_placeholders() -> None:
    for entry in polib.pofile(str(PO)):
        if entry.translated() and not entry.msgid_plural:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
                PLACEHOLDER.findall(entry.msgid)
            ), entry.msgid


def test_compiled_catalogue_matches_the_po_file() -> None:
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo")))}
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.translated()}
    assert mo == po, "the .mo is stale: run tools/i18n.py compile"


def _bare_text(node: ast.expr) -> bool:
    """Words shown as they are written (a literal or the text of an f-string): no gettext."""
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return any(re.search(r"[A-Za-z]{2}", str(part)) for part in parts)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value


def _shows_text(call: ast.Call) -> bool:
    """Raises a user-facing error, or writes to the command's stdout/stderr, or prints."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in {"CommandError", "ExportDenied", "BackupError", "CliAuthError", "print"}
    if isinstance(func, ast.Attribute) and func.attr in {"write", "print"}:
        target = func.value
        return (isinstance(target, ast.Attribute) and target.attr in {"stdout", "stderr"}) or (
            isinstance(target, ast.Name) and target.id == "console"
        )
    return False


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "src/civharm").glob("**/management/commands/*.py"))
    + sorted((ROOT / "src/civharm").glob("**/services/*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_messages_for_people_go_through_gettext(path: Path) -> None:
    """Errors raised and lines printed by commands and services are never bare English."""
    offenders = [
        f"line {node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and node.args
        and _shows_text(node)
        and _bare_text(node.args[0])
    ]
    assert not offenders, f"untranslated message in {path.name}: {offenders}"


@pytest.mark.not_the_database
def test_cli_speaks_french_by_default_and_english_on_request(cli_env: dict[str, str]) -> None:
    french = dict(cli_env)
    french.pop("CIVHARM_LANG")
    french["LANG"] = "C.UTF-8"
    assert "Journal d'audit intact" in run_cli(french, "audit", "verify").stdout
    assert "Audit trail intact" in run_cli(french, "--lang", "en", "audit", "verify").stdout
    french["LANG"] = "en_GB.UTF-8"
    assert "Audit trail intact" in run_cli(french, "audit", "verify").stdout


def test_import_summary_in_french(cli_env: dict[str, str], tmp_path: Path) -> None:
    from tests.incidents.factories import write_acled

    cli_env["CIVHARM_LANG"] = "fr"
    result = run_cli(cli_env, "import", "acled", str(write_acled(tmp_path / "a.csv")))
    assert "3 importées, 0 déjà au registre, 0 lignes rejetées" in result.stdout
