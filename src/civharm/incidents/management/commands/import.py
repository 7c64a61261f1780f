"""civharm import FORMAT FILE — read a source file into the register, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civharm.incidents.management.commands._console import (
    estimate_rows,
    os_user,
    parse_columns,
    progress_bar,
)
from civharm.incidents.services.importing import import_file
from civharm.ingest.records import UnreadableFile

FORMATS = ["acled", "ucdp", "hxl", "reports", "victims"]
EPILOG = """examples:
  civharm import acled acled_mali_2024.csv
  civharm import ucdp GEDEvent_v24_1.csv --json
  civharm import victims liste_ong.csv --source "ONG Tassaght" --source-type ngo
  civharm import victims list.xlsx --columns "full_name=Nom complet,sex=Genre"
Re-running the same command is safe: rows already in the register are counted as duplicates.
"""


class Command(BaseCommand):
    help = "Import a source file (ACLED, UCDP GED, HXL, incident reports, victim lists)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: object) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)  # type: ignore[arg-type]
        parser.epilog = EPILOG
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.formatter_class = __import__("argparse").RawDescriptionHelpFormatter
        parser.add_argument("format", choices=FORMATS, help="what kind of file it is")
        parser.add_argument(
            "file", type=Path, help="CSV (UTF-8, UTF-8 BOM or cp1252; , or ;) or XLSX"
        )
        parser.add_argument(
            "--source", help="source name (default: ACLED, UCDP GED, or the file name)"
        )
        parser.add_argument(
            "--source-type",
            help="interview, kobo, ngo, un, media, government, social_media, dataset",
        )
        parser.add_argument(
            "--columns", help="FIELD=HEADER pairs, comma-separated, for unrecognised headers"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary for machines")
        parser.add_argument("--batch-size", type=int, default=None, help="rows per committed batch")
        parser.add_argument(
            "--user", default=None, help="who runs the import (for the audit trail)"
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        fmt = str(options["format"])
        as_json = bool(options["json"])
        actor = str(options["user"] or f"cli:{os_user()}")
        try:
            with progress_bar(f"{path.name}", estimate_rows(path), enabled=not as_json) as progress:
                outcome = import_file(
                    path,
                    fmt,
                    source_name=options["source"],  # type: ignore[arg-type]
                    source_type=options["source_type"],  # type: ignore[arg-type]
                    columns=parse_columns(options["columns"]),  # type: ignore[arg-type]
                    actor=actor,
                    progress=progress,
                    batch_size=options["batch_size"],  # type: ignore[arg-type]
                )
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if as_json:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            return
        self._print_summary(path, outcome)

    def _print_summary(self, path: Path, outcome) -> None:  # type: ignore[no-untyped-def]
        self.stdout.write(
            f"{path.name} → {outcome.source}: {outcome.imported} imported, "
            f"{outcome.duplicates} already in the register, {len(outcome.errors)} rejected rows."
        )
        for error in outcome.errors[:20]:
            column = f", column « {error.column} »" if error.column else ""
            self.stdout.write(f"  {error.file}, row {error.row}{column}: {error.message}")
        if len(outcome.errors) > 20:
            self.stdout.write(f"  … and {len(outcome.errors) - 20} more.")
        if outcome.error_report:
            self.stdout.write(f"All rejected rows are listed in {outcome.error_report}")
