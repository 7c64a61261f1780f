"""civharm link — link reports into incidents and victim records into persons.

Prints counts only: never a name, never a record's content.
"""

from __future__ import annotations

import gc
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from civharm.core.protection import ProtectedFieldError
from civharm.incidents.management.commands._console import CommandWithExamples, command_actor
from civharm.incidents.services.linking import StepCallback, persons_placed, run_linkage
from civharm.incidents.services.merging import KINDS, LinkageError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
            choices=("duckdb", "spark"),
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
        stop = {"asked": False}
        try:
            with _stoppable(stop), _engine(engine) as db_api:
                for kind in kinds:
                    with _steps(kind, enabled=not as_json) as progress:
                        retrain = bool(options["retrain"])
                        results[kind] = self._run(kind, db_api, engine, actor, progress, retrain)
        except BaseException:
            # Ctrl-C or SIGTERM: as KeyboardInterrupt, or as the error of an engine query it
            # interrupted (DuckDB's "Query interrupted", wrapped by Splink)
            if not stop["asked"]:
                raise
        if stop["asked"] and len(results) < len(kinds):  # else every kind was saved: report it
            gc.collect()  # out of the except block, the interrupted frames and cursors are freed
            raise CommandError(_interrupted(kinds, results), returncode=130)  # connection open
        for counts in results.values():  # a state: the persons' run may have changed it since
            counts["persons_placed"] = persons_placed()
        if as_json:
            self.stdout.write(json.dumps(results))
            return
        Console(file=self.stdout, width=None if sys.stdout.isatty() else 100).print(
            _summary_table(results)
        )

    def _run(
        self,
        kind: str,
        db_api: Any,
        engine: str,
        actor: str,
        progress: StepCallback | None,
        retrain: bool,
    ) -> dict[str, int]:
        import duckdb

        from civharm.linkage.engines import EngineUnavailable  # Splink is slow to import

        try:
            return run_linkage(
                kind, engine=engine, user=actor, progress=progress, retrain=retrain, db_api=db_api
            )
        except (LinkageError, ProtectedFieldError, EngineUnavailable) as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:  # the engine's own errors come wrapped by Splink
            cause = _first_engine_error(exc)
            if isinstance(cause, duckdb.OutOfMemoryException):
                raise CommandError(
                    _(
                        "The linkage ran out of memory; the register is as it was before this "
                        "run. Free memory, or set CIVHARM_DUCKDB_MEMORY_LIMIT (e.g. 2GB) so that "
                        "DuckDB spills to disk sooner."
                    )
                ) from None
            if isinstance(cause, (OSError, duckdb.IOException)):
                raise CommandError(
                    _(
                        "The linkage could not write its scratch files ({error}); the register "
                        "is as it was before this run. Check the free space of the temporary "
                        "folder, or set TMPDIR to another one."
                    ).format(error=type(cause).__name__)
                ) from None
            raise


@contextmanager
def _engine(name: str) -> Iterator[Any]:
    """One engine for every kind the command links, closed (its scratch folder removed) at
    the end, however the command ends."""
    from civharm.linkage.engines import EngineUnavailable, close_engine, open_engine

    try:
        db_api = open_engine(name)
    except EngineUnavailable as exc:
        raise CommandError(str(exc)) from None
    try:
        yield db_api
    finally:
        close_engine(db_api)


def _first_engine_error(error: BaseException) -> BaseException:
    """The first DuckDB or operating-system error behind `error` (itself if none is)."""
    import duckdb

    from civharm.linkage.engines import errors_behind

    causes = errors_behind(error)
    return next((c for c in causes if isinstance(c, (duckdb.Error, OSError))), error)


@contextmanager
def _stoppable(stop: dict[str, bool]) -> Iterator[None]:
    """Ctrl-C, and SIGTERM (a service stopped, `kill`), end the run the same way: the run is
    marked failed, nothing half-written stays, the engine's scratch folder is removed, and
    stop["asked"] tells the caller it was asked to stop."""

    def ask(_signal: int, _frame: FrameType | None) -> None:
        stop["asked"] = True
        for number in STOP_SIGNALS:  # a second Ctrl-C must not cut the cleanup short
            signal.signal(number, signal.SIG_IGN)
        raise KeyboardInterrupt

    try:
        previous = {number: signal.signal(number, ask) for number in STOP_SIGNALS}
    except ValueError:  # not the main thread (a test runner's worker): nothing to install
        yield
        return
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _label(kind: str) -> str:
    return _("incidents") if kind == "incident" else _("persons")


def _interrupted(kinds: list[str], results: dict[str, dict[str, int]]) -> str:
    """What an interrupted run left: kinds linked before it stand, the others are as before."""
    done = [_label(kind) for kind in results]
    left = [_label(kind) for kind in kinds if kind not in results]
    message = _("Interrupted: the {kinds} are as they were before this run.").format(
        kinds=_(" and ").join(left)
    )
    if done:
        message += " " + _("The {kinds} were linked and saved.").format(kinds=_(" and ").join(done))
    return message


@contextmanager
def _steps(kind: str, enabled: bool) -> Iterator[StepCallback | None]:
    """The linkage's steps on stderr: a live line on a terminal, one line per step otherwise."""
    if not enabled:
        yield None
        return
    label = _label(kind)
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
        table.add_column(_label(kind), justify="right")
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
    if "person" in results:  # persons follow both kinds' links: their count is a state
        placed = results["person"].get("persons_placed", 0)
        table.add_row(
            _("persons placed in an incident"),
            *("" if kind != "person" else str(placed) for kind in results),
        )
    return table
