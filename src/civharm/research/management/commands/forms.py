"""civharm forms build -o DIR — write the field XLSForms (interview, incident report)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.incidents.management.commands._console import CommandWithExamples
from civharm.research.xlsforms import build_forms


def _epilog() -> str:
    return _(
        "examples:\n"
        "  civharm forms build -o formulaires/\n"
        "Upload entretien.xlsx and rapport_incident.xlsx to KoboToolbox or ODK Central; import\n"
        "their submission exports with: civharm import kobo FILE"
    )


class Command(CommandWithExamples):
    help = gettext_lazy(
        "Build the XLSForms for field teams (interviews, incident reports) from the country pack."
    )
    examples = staticmethod(_epilog)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["build"], help=_("what to do: build the forms"))
        parser.add_argument(
            "-o", "--output", type=Path, required=True, help=_("folder to write the forms into")
        )

    def handle(self, *args: object, **options: object) -> None:
        folder = Path(str(options["output"]))
        if folder.exists() and not folder.is_dir():
            raise CommandError(_("{path} is a file, not a folder").format(path=folder))
        for path in build_forms(folder, settings.CIVHARM["COUNTRY_PACK"]):
            self.stdout.write(_("written: {path}").format(path=path))
