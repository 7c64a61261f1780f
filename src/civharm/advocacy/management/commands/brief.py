"""civharm brief — an advocacy brief for one region and period, as a PDF and an HTML file.

Every figure is disclosure-controlled; never prints a name, an incident code or a village.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.advocacy.briefs import BriefError, brief_request, default_file_name, make_brief
from civharm.incidents.management.commands._console import CommandWithExamples, command_actor

# The PDF asked for was not written (WeasyPrint cannot draw here): scripts must not mistake
# the HTML alone for success, so the command says so and exits with this status.
NO_PDF_EXIT = 3


def _epilog() -> str:
    return _(
        "examples:\n"
        "  civharm brief --region Mopti --from 2022-01 --to 2022-12 --lang fr -o brief.pdf\n"
        "  civharm brief --region Ségou --from 2023-01 --to 2023-06 --lang en --json\n"
        "  civharm brief --region ML05 --from 2021-07 --to 2022-06 -o mopti.pdf --user amina\n"
        "Writes the PDF and, beside it, the same brief as HTML (brief.pdf and brief.html). "
        "Every figure goes through disclosure control; the web page Briefs lists past briefs."
    )


class Command(CommandWithExamples):
    help = gettext_lazy(
        "Write an advocacy brief for a region and a period: key figures with their "
        "uncertainty, charts, a map, trends, interaction patterns, recommendations and "
        "method notes, in French or English."
    )

    examples = staticmethod(_epilog)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--region", required=True, help=_("region name (any accents or case) or P-code")
        )
        parser.add_argument(
            "--from", dest="month_from", required=True, help=_("first month, YYYY-MM")
        )
        parser.add_argument("--to", dest="month_to", required=True, help=_("last month, YYYY-MM"))
        parser.add_argument(
            "--lang",
            choices=["fr", "en"],
            default=None,
            help=_("language of the brief (default: the language of the messages)"),
        )
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            default=None,
            help=_(
                "FILE.pdf or FILE.html: both are written, side by side (default: a name from "
                "the brief)"
            ),
        )
        parser.add_argument("--json", action="store_true", help=_("print the paths as JSON"))
        parser.add_argument(
            "--user", default=None, help=_("your civharm user name (checked; audit trail)")
        )

    def handle(self, *args: object, **options: Any) -> None:
        actor = command_actor(options["user"], "make_briefs", _("your role may not make briefs"))
        language = options["lang"] or (translation.get_language() or "fr")[:2]
        try:
            request = brief_request(
                options["region"],
                options["month_from"],
                options["month_to"],
                language,
                ("--from", "--to"),
            )
            output = (options["output"] or Path(default_file_name(request))).resolve()
            new_folder = None if output.parent.exists() else output.parent
            outcome = make_brief(request, actor=actor, output=output)
        except BriefError as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            paths = {"pdf": str(outcome.pdf) if outcome.pdf else None, "html": str(outcome.html)}
            self.stdout.write(
                json.dumps(paths | {"seconds": round(outcome.seconds, 2)}, ensure_ascii=False)
            )
        else:
            self._say(outcome, new_folder)
        if outcome.pdf is None:
            raise CommandError(outcome.pdf_problem, returncode=NO_PDF_EXIT)

    def _say(self, outcome: Any, new_folder: Path | None) -> None:
        """Both paths, in full: -o names the PDF, and the HTML beside it is a second file."""
        if new_folder is not None:
            self.stdout.write(_("Folder created: {folder}.").format(folder=new_folder))
        if outcome.pdf is not None:
            self.stdout.write(
                _("Brief written: {pdf} and {html} ({seconds:.1f} s).").format(
                    pdf=outcome.pdf, html=outcome.html, seconds=outcome.seconds
                )
            )
        else:
            self.stdout.write(_("Brief written as HTML: {html}.").format(html=outcome.html))
