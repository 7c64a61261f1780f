"""civharm import FORMAT FILE — read a source file into the register, idempotently."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.incidents.management.commands._console import (
    CommandWithExamples,
    command_actor,
    estimate_rows,
    parse_columns,
    progress_bar,
)
from civharm.incidents.services.importing import ImportOutcome, import_file
from civharm.ingest.records import UnreadableFile

FORMATS = ["acled", "ucdp", "hxl", "reports", "victims", "kobo"]
SHOWN_ERRORS = 20


def _epilog() -> str:
    return _(
        "examples:\n"
        "  civharm import acled acled_mali_2024.csv\n"
        "  civharm import ucdp GEDEvent_v24_1.csv --json\n"
        '  civharm import victims liste_ong.csv --source "ONG X" --source-type ngo\n'
        "  civharm import kobo entretiens.csv --form interview  (KoBo/ODK export, CSV or JSON)\n"
        '  civharm import victims list.xlsx --columns "full_name=Nom complet,sex=Genre"\n'
        "Running the same command again is safe: rows already in the register are counted "
        "as duplicates."
    )


def _import_kobo(path: Path, options: dict[str, object], actor: str) -> ImportOutcome:
    from civharm.research.kobo_import import import_kobo

    return import_kobo(
        path,
        form=options["form"],  # type: ignore[arg-type]
        source_name=options["source"],  # type: ignore[arg-type]
        actor=actor,
    )


class Command(CommandWithExamples):
    help = gettext_lazy(
        "Import a source file (ACLED, UCDP GED, HXL, incident reports, victim lists)."
    )

    examples = staticmethod(_epilog)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=FORMATS, help=_("what kind of file it is"))
        parser.add_argument(
            "file", type=Path, help=_("CSV (UTF-8, UTF-8 BOM or cp1252; , or ;) or XLSX")
        )
        parser.add_argument(
            "--source", help=_("source name (default: ACLED, UCDP GED, or the file name)")
        )
        parser.add_argument(
            "--source-type",
            help=_("interview, kobo, ngo, un, media, government, social_media, dataset"),
        )
        parser.add_argument(
            "--columns", help=_("FIELD=HEADER pairs, comma-separated, for unrecognised headers")
        )
        parser.add_argument(
            "--form",
            choices=["interview", "incident"],
            help=_("kobo: which civharm form the export comes from (default: detected)"),
        )
        parser.add_argument("--json", action="store_true", help=_("print a JSON summary"))
        parser.add_argument("--batch-size", type=int, default=None, help=_("rows per commit"))
        parser.add_argument(
            "--user", default=None, help=_("your civharm user name (checked; audit trail)")
        )

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        as_json = bool(options["json"])
        if not path.is_file():
            raise CommandError(_("{file} does not exist or is not a file").format(file=path))
        if options["format"] == "victims" and not options["source"]:
            raise CommandError(
                _("name the victim list with --source: its file name may identify people")
            )
        actor = command_actor(options["user"], "import", _("your role may not import files"))
        try:
            if options["format"] == "kobo":
                outcome = _import_kobo(path, options, actor)
            else:
                with progress_bar(path.name, estimate_rows(path), enabled=not as_json) as progress:
                    outcome = import_file(
                        path,
                        str(options["format"]),
                        source_name=options["source"],  # type: ignore[arg-type]
                        source_type=options["source_type"],  # type: ignore[arg-type]
                        columns=parse_columns(options["columns"]),  # type: ignore[arg-type]
                        actor=actor,
                        progress=progress,
                        batch_size=options["batch_size"],  # type: ignore[arg-type]
                    )
        except (UnreadableFile, ValueError) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(
                _("cannot read {file}: {reason}").format(file=path, reason=exc.strerror)
            ) from None
        if as_json:
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            return
        self._print_summary(path, outcome)

    def _print_summary(self, path: Path, outcome: ImportOutcome) -> None:
        self.stdout.write(
            _(
                "{file} → {source}: {imported} imported, {duplicates} already in the register, "
                "{errors} rejected rows."
            ).format(
                file=path.name,
                source=outcome.source,
                imported=outcome.imported,
                duplicates=outcome.duplicates,
                errors=len(outcome.errors),
            )
        )
        for error in outcome.errors[:SHOWN_ERRORS]:
            if error.column:
                where = _("{file}, row {row}, column « {column} »").format(
                    file=error.file, row=error.row, column=error.column
                )
            else:
                where = _("{file}, row {row}").format(file=error.file, row=error.row)
            self.stdout.write(f"  {where}: {error.message}")
        if len(outcome.errors) > SHOWN_ERRORS:
            more = len(outcome.errors) - SHOWN_ERRORS
            self.stdout.write("  " + _("… and {count} more.").format(count=more))
        for warning in getattr(outcome, "warnings", [])[:SHOWN_ERRORS]:  # KoBo/ODK submissions
            where = _("{file}, row {row}").format(file=warning.file, row=warning.row)
            message = _("warning: {message}").format(message=warning.message)
            self.stdout.write(f"  {where}: {message}")
        if outcome.error_report:
            self.stdout.write(
                _("All rejected rows are listed in {path}").format(path=outcome.error_report)
            )
