"""Keep the French catalogue in step with the code.

    .venv/bin/python tools/i18n.py extract   # add new msgids from src/ to the .po (empty msgstr)
    .venv/bin/python tools/i18n.py compile   # write the .mo that civharm reads at run time

Messages are found by reading the source (ast): calls to _(), gettext(), gettext_lazy(),
pgettext() and ngettext() whose arguments are string literals.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "civharm"
PO = SOURCE / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
CALLS = {"_", "N_", "gettext", "gettext_noop", "gettext_lazy", "_lazy", "ngettext", "ngettext_lazy"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def messages() -> Iterator[tuple[str, str | None, str]]:
    """(msgid, msgid_plural, 'file:line') for every translatable literal under src/civharm."""
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) in CALLS and node.args):
                continue
            literals = [
                a.value
                for a in node.args[:2]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if not literals:
                continue
            plural = (
                literals[1]
                if _name(node.func).startswith("ngettext") and len(literals) > 1
                else None
            )  # type: ignore[union-attr]
            yield literals[0], plural, f"{path.relative_to(ROOT)}:{node.lineno}"


TEMPLATE_MESSAGE = re.compile(
    r"""{%\s*(?:translate|trans)\s+(?P<q>["'])(?P<msg>.*?)(?P=q)"""  # {% translate "…" %}
    r"""|\b_\((?P<q2>["'])(?P<msg2>.*?)(?P=q2)\)"""  # filter arguments: default:_("…")
)


def template_messages() -> Iterator[tuple[str, str | None, str]]:
    """Messages of {% translate %} tags (blocktranslate is not used in our templates)."""
    for path in sorted(SOURCE.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_MESSAGE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            message = match.group("msg") if match.group("msg") is not None else match.group("msg2")
            # Django looks a template literal up with each % doubled (as makemessages writes it).
            yield message.replace("%", "%%"), None, f"{path.relative_to(ROOT)}:{line}"


def all_messages() -> Iterator[tuple[str, str | None, str]]:
    yield from messages()
    yield from template_messages()


def extract() -> int:
    catalogue = polib.pofile(str(PO)) if PO.exists() else _new_catalogue()
    known = {entry.msgid for entry in catalogue}
    added = 0
    for msgid, plural, where in all_messages():
        if msgid in known:
            continue
        entry = polib.POEntry(msgid=msgid, msgstr="", occurrences=[tuple(where.rsplit(":", 1))])
        if plural:
            entry.msgid_plural = plural
            entry.msgstr_plural = {0: "", 1: ""}
        catalogue.append(entry)
        known.add(msgid)
        added += 1
    catalogue.save(str(PO))
    print(f"{added} new message(s) in {PO.relative_to(ROOT)}")
    return 0


def compile_catalogue() -> int:
    polib.pofile(str(PO)).save_as_mofile(str(MO))
    print(f"wrote {MO.relative_to(ROOT)}")
    return 0


def _new_catalogue() -> polib.POFile:
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Project-Id-Version": "civharm",
        "Language": "fr",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    return catalogue


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        sys.exit(extract())
    if command == "compile":
        sys.exit(compile_catalogue())
    sys.exit("usage: tools/i18n.py extract|compile")
