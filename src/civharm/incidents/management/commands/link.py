"""civharm link — link reports into incidents and victim records into persons.

Prints counts only: never a name, never a record's content.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from civharm.core.protection import ProtectedFieldError
from civharm.incidents.management.commands._console import CommandWithExamples, command_actor
from civharm.incidents.services.linking import StepCallback, run_linkage
from civharm.incidents.services.merging import KINDS, LinkageError


def _epilog() -> str:
    return _(
        "examples:\n"
        "  civharm link\n"
        "  civharm link --kind person --json\n"
        "  civharm link --engine spark --user analyst1\n"
        "  civharm link --retrain\n"
        "Running it again is safe: links are recomputed, and people's decisions on pairs are "
        "kept and win over the model. Pairs the model is unsure of wait in the review queue."
    )


class Command(CommandWithExamples):
    help = gettext_lazy(
        "Link the register: reports of one event into one incident, records of one victim into "
        "one person. Merges are reversible and nothing is deleted."
    )

    examples = staticmethod(_epilog)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind",
            choices=[*KINDS, "all"],
            default="all",
            help=_("what to link: incident (reports), person (victim records) or all"),
        )
        parser.add_argument(
            "--engine",
            default="duckdb",
            help=_("duckdb (default, on this machine) or spark (large registers)"),
        )
        parser.add_argument(
            "--retrain",
            action="store_true",
            help=_(
                "train the model again even if the previous run's model still fits the "
                "register (by default it is reused until the records grow by a quarter or "
                "it is 30 days old)"
            ),
        )
        parser.add_argument("--json", action="store_true", help=_("print a JSON summary"))
        parser.add_argument(
            "--user", default=None, help=_("your civharm user name (checked; audit trail)")
        )

    def handle(self, *args: object, **options: object) -> None:
        engine = str(options["engine"])
        actor = command_actor(options["user"], "review", _("your role may not link records"))
        as_json = bool(options["json"])
        kinds = list(KINDS) if options["kind"] == "all" else [str(options["kind"])]
        results: dict[str, dict[str, int]] = {}
        for kind in kinds:
            with _steps(kind, enabled=not as_json) as progress:
                results[kind] = self._run(kind, engine, actor, progress, bool(options["retrain"]))
        if as_json:
            self.stdout.write(json.dumps(results))
            return
        Console(file=self.stdout, width=None if sys.stdout.isatty() else 100).print(
            _summary_table(results)
        )

    def _run(
        self, kind: str, engine: str, actor: str, progress: StepCallback | None, retrain: bool
    ) -> dict[str, int]:
        from civharm.linkage.engines import EngineUnavailable  # Splink is slow to import

        try:
            return run_linkage(kind, engine=engine, user=actor, progress=progress, retrain=retrain)
        except (LinkageError, ProtectedFieldError, EngineUnavailable) as exc:
            raise CommandError(str(exc)) from None


@contextmanager
def _steps(kind: str, enabled: bool) -> Iterator[StepCallback | None]:
    """The linkage's steps on stderr: a live line on a terminal, one line per step otherwise."""
    if not enabled:
        yield None
        return
    label = _("incidents") if kind == "incident" else _("persons")
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda step, *rest, **more: console.print(f"{label}: {step}", highlight=False)
        return
    columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        first_step = _("reading the register")
        task = bar.add_task(f"{label}: {first_step}", total=None)
        yield lambda step, *rest, **more: bar.update(task, description=f"{label}: {step}")


def _summary_table(results: dict[str, dict[str, int]]) -> Table:
    table = Table(title=_("Linkage"))
    table.add_column("")
    for kind in results:
        table.add_column(_("incidents") if kind == "incident" else _("persons"), justify="right")
    rows = [
        ("records", _("records read")),
        ("clusters", _("after linkage")),
        ("links", _("links")),
        ("review_pairs", _("pairs waiting for review")),
    ]
    for key, label in rows:
        table.add_row(label, *(str(counts.get(key, 0)) for counts in results.values()))
    merged = (counts.get(f"{kind}s_merged", 0) for kind, counts in results.items())
    table.add_row(_("merged into another"), *(str(n) for n in merged))
    models = (
        "–"  # fewer than two records: nothing to train or score
        if counts.get("records", 0) < 2
        else _("trained now")
        if counts.get("model_trained")
        else _("previous run's")
        for counts in results.values()
    )
    table.add_row(_("model"), *models)
    return table
