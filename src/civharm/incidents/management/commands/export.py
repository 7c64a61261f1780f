"""civharm export incidents|reports|persons --format csv|xlsx|geojson|hxl -o FILE
civharm export persons --controlled -o FILE.csv|xlsx  (k-anonymous, for sharing)"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts.cli_auth import CliAuthError, authenticate_cli_user
from civharm.core.protection import ProtectedFieldError
from civharm.incidents.management.commands._console import TranslatedCommand, os_user
from civharm.incidents.services.exporting import FORMATS, KINDS, ExportDenied, export

# what an export's rows are, for its last line ("627 persons written to …")
EXPORTED = {
    "incidents": gettext_lazy("incidents"),
    "reports": gettext_lazy("reports"),
    "persons": gettext_lazy("persons"),
}


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Export the register. Every row carries the source record ids it came from. Persons "
        "are exported by pseudonym; names only with --with-identities by an authorised user "
        "(audited); --controlled writes a k-anonymous persons extract, without pseudonyms or "
        "ids, that may be shared. Example: civharm export incidents --format xlsx -o "
        "incidents.xlsx"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help=_("default: from the file name")
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help=_("file to write"))
        parser.add_argument(
            "--with-identities",
            action="store_true",
            help=_("persons only: add names, fathers' names and contacts"),
        )
        parser.add_argument(
            "--controlled",
            action="store_true",
            help=_(
                "persons only: a k-anonymous extract to share (sex, age band, status, harm, "
                "place, month or year; no pseudonym or id)"
            ),
        )
        parser.add_argument("--user", help=_("your civharm user name (for --with-identities)"))
        parser.add_argument("--reason", default="", help=_("why identities are exported"))

    def handle(self, *args: object, **options: object) -> None:
        output = Path(str(options["output"]))
        fmt = options["format"] or _format_from_name(output)
        user = None
        if options["user"]:
            try:
                user = authenticate_cli_user(str(options["user"]))
            except CliAuthError as exc:
                raise CommandError(str(exc)) from None
        try:
            count = export(
                str(options["kind"]),
                str(fmt),
                output,
                actor=f"cli:{os_user()}",
                user=user,
                with_identities=bool(options["with_identities"]),
                controlled=bool(options["controlled"]),
                reason=str(options["reason"]),
            )
        except (ExportDenied, ProtectedFieldError) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(
                _("cannot write {file}: {reason}").format(file=output, reason=exc.strerror)
            ) from None
        self.stdout.write(
            _("{count} {kind} written to {path}").format(
                count=count, kind=EXPORTED[str(options["kind"])], path=output
            )
        )


def _format_from_name(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in {"csv", "xlsx", "geojson"}:
        return suffix
    if suffix == "json":
        return "geojson"
    raise CommandError(
        _("say which format to write {file} in: --format csv|xlsx|geojson|hxl").format(
            file=path.name
        )
    )
