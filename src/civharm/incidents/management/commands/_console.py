"""Shared pieces of the civharm commands: progress display and column-mapping parsing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from civharm.incidents.services.importing import ProgressCallback


def estimate_rows(path: Path) -> int | None:
    """Rows in a file, for the progress bar: newline count for text, sheet size for XLSX."""
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True).worksheets[0]
            if sheet.max_row is None:  # files written in streaming mode carry no dimensions
                sheet.reset_dimensions()
                return sum(1 for _ in sheet.iter_rows()) - 1
            return max(sheet.max_row - 1, 0)
        with open(path, "rb") as handle:
            return max(
                sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0
            )
    except Exception:
        return None


@contextmanager
def progress_bar(label: str, total: int | None, enabled: bool) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)


def parse_columns(text: str | None) -> dict[str, str] | None:
    """'name=Nom complet,sex=Genre' -> {'name': 'Nom complet', 'sex': 'Genre'}."""
    if not text:
        return None
    mapping: dict[str, str] = {}
    for part in text.split(","):
        field, sep, header = part.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise CommandError(
                _(
                    "--columns: « {part} » is not FIELD=HEADER "
                    '(example: --columns "full_name=Nom complet,sex=Genre")'
                ).format(part=part.strip())
            )
        mapping[field.strip()] = header.strip()
    return mapping


def os_user() -> str:
    """The operating-system user, for audit entries of commands run without --user."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def command_actor(username: object, capability: str, refusal: str) -> str:
    """The audited actor of a command: a civharm user checked by password who has
    `capability` (else CommandError(refusal)), or "cli:<OS user>" without --user."""
    from civharm.accounts.cli_auth import CliAuthError, authenticate_cli_user

    if not username:
        return f"cli:{os_user()}"
    try:
        user = authenticate_cli_user(str(username))
    except CliAuthError as exc:
        raise CommandError(str(exc)) from None
    if not user.can(capability):
        raise CommandError(refusal)
    return user.username


class TranslatedCommand(BaseCommand):
    """A command whose `help` is translated when --help is asked (gettext_lazy), not when the
    module is loaded: argparse's formatter takes only a plain string.

    No system checks before it runs: they import every page's view (and with them scipy and
    the PDF writer), which was half of a command's start (1.9 s -> 0.95 s for an export).
    They check code and settings, not data: `civharm check` runs them, `civharm demo` before
    it serves, and tests/accounts/test_two_factor.py with the production settings."""

    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[arg-type]
        parser.description = str(self.help) if self.help else None
        return parser


class CommandWithExamples(TranslatedCommand):
    """A command whose --help ends with `examples` (a function: translated when asked),
    laid out as written."""

    examples: Callable[[], str] = staticmethod(lambda: "")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[arg-type]
        parser.epilog = self.examples()
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser
