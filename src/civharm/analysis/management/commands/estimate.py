"""civharm estimate — how many victims no list documented (multiple systems estimation).

Prints aggregates only, rounded as the method's uncertainty warrants; never a name.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.table import Table

from civharm.analysis.estimates import (
    STRATUM_FIELDS,
    EstimationInputError,
    estimate_options,
    run_estimates,
)
from civharm.analysis.figures import estimate_figures, run_summary
from civharm.analysis.models import EstimateRun
from civharm.estimation.histories import HistoriesError
from civharm.incidents.management.commands._console import CommandWithExamples, command_actor

METHOD_CHOICES = {"loglinear": ("loglinear",), "lcm": ("lcm",), "both": ("loglinear", "lcm")}


def _epilog() -> str:
    return _(
        "examples:\n"
        "  civharm estimate\n"
        "  civharm estimate --by region,year --method both\n"
        "  civharm estimate --histories lists.csv --method lcm --json\n"
        "A histories file has one 0/1 column per list and a count column. The figures are "
        "rounded as their intervals warrant; the page Estimates shows the stored run."
    )


class Command(CommandWithExamples):
    help = gettext_lazy(
        "Estimate how many victims no list documented, from the overlaps of the lists that "
        "name them (log-linear models and a Bayesian latent-class model)."
    )

    examples = staticmethod(_epilog)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--by",
            default="",
            help=_("stratify by these fields, comma-separated: {fields}").format(
                fields=", ".join(STRATUM_FIELDS)
            ),
        )
        parser.add_argument("--method", choices=list(METHOD_CHOICES), default="both")
        parser.add_argument(
            "--histories", type=Path, help=_("a capture-history CSV instead of the register")
        )
        parser.add_argument(
            "--iterations", type=int, help=_("Gibbs iterations per chain (latent-class model)")
        )
        parser.add_argument("--chains", type=int, help=_("chains (latent-class model)"))
        parser.add_argument("--seed", type=int, default=0, help=_("random seed (default 0)"))
        parser.add_argument("--json", action="store_true", help=_("print the figures as JSON"))
        parser.add_argument(
            "--user", default=None, help=_("your civharm user name (checked; audit trail)")
        )

    def handle(self, *args: object, **options: Any) -> None:
        actor = command_actor(options["user"], "run_estimates", _("your role may not estimate"))
        by = [field.strip() for field in str(options["by"]).split(",") if field.strip()]
        if options["histories"] and by:
            raise CommandError(_("--by stratifies the register; a histories file is one table."))
        console = Console(stderr=True)
        progress = None if options["json"] else _progress(console)
        try:
            run = run_estimates(
                user=actor,
                by=by,
                methods=METHOD_CHOICES[options["method"]],
                histories_file=options["histories"],
                options=estimate_options(options["iterations"], options["chains"], options["seed"]),
                progress=progress,
            )
        except (EstimationInputError, HistoriesError) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(run_summary(run), ensure_ascii=False))
            return
        out = Console(file=self.stdout, width=None if sys.stdout.isatty() else 120)
        out.print(figures_table(run))
        for line in _warning_lines(run):
            out.print(line, highlight=False)


def _progress(console: Console) -> Any:
    return lambda stratum: console.print(_("estimated: {stratum}").format(stratum=stratum))


def figures_table(run: EstimateRun) -> Table:
    table = Table(title=_("Multiple systems estimates (run {id})").format(id=run.pk))
    table.add_column(_("stratum"))
    table.add_column(_("method"))
    table.add_column(_("documented"), justify="right")
    table.add_column(_("estimated total (95% interval)"), justify="right")
    table.add_column(_("never documented"), justify="right")
    for row in estimate_figures(run):
        table.add_row(
            row["stratum"], row["method_label"], str(row["documented"]),
            row["total_text"], row["undocumented_text"],
        )  # fmt: skip
    return table


def _warning_lines(run: EstimateRun) -> list[str]:
    lines = []
    for row in estimate_figures(run):
        lines += [f"! {row['stratum']} ({row['method_label']}): {w}" for w in row["warnings"]]
    return lines
