"""civharm demo — build a demo register from generated sources over real Mali places.

Generated people only. The demo has its own data folder (./civharm-demo) so that generated
records never mix with a real register.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandParser
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.table import Table

from civharm.accounts.demo_accounts import DemoAccount
from civharm.accounts.roles import ROLES
from civharm.incidents.management.commands._console import TranslatedCommand, os_user
from civharm.incidents.models import Incident, Person, Report
from civharm.incidents.services.importing import ImportOutcome, import_file
from civharm.incidents.services.linking import run_linkage

# (file written by the generator, importer, source name, source type)
DEMO_SOURCES = [
    ("acled_demo.csv", "acled", "ACLED (demo)", "dataset"),
    ("ucdp_ged_demo.csv", "ucdp", "UCDP GED (demo)", "dataset"),
    ("rapports_entretiens.csv", "reports", "Entretiens de terrain (démo)", "interview"),
    ("media_reports.xlsx", "reports", "Press reports (demo)", "media"),
    ("partner_incidents_hxl.csv", "hxl", "Partner incident list (demo)", "ngo"),
    ("liste_victimes_ong.csv", "victims", "Liste de victimes ONG (démo)", "ngo"),
    ("un_victim_list.xlsx", "victims", "UN victim list (demo)", "un"),
    (
        "liste_association_victimes.csv",
        "victims",
        "Association des familles de victimes (démo)",
        "ngo",
    ),
]


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Build a demo register: generated, overlapping sources (interviews, an NGO list, a UN "
        "list, media, ACLED- and UCDP-shaped files) over real Mali places, 2019–2024, imported "
        "through the real importers. Example: civharm demo   (or: civharm --data-dir /tmp/d demo)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2024, help=_("same seed, same demo"))
        parser.add_argument("--fresh", action="store_true", help=_("delete the demo sources first"))
        parser.add_argument(
            "--no-serve", action="store_true", help=_("build the demo, do not start the web app")
        )
        parser.add_argument("--port", type=int, default=8000, help=_("port of the web app"))

    def handle(self, *args: object, **options: object) -> None:
        from civharm.demo import generate_demo

        console = Console(width=None if sys.stdout.isatty() else 120)
        folder = Path(settings.DATA_DIR) / "demo-sources"
        if options["fresh"] and folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        console.print(
            _("Generating demo sources in {folder} (generated people only) …").format(folder=folder)
        )
        generate_demo(folder, seed=int(str(options["seed"])))
        outcomes = []
        for file_name, fmt, source, source_type in DEMO_SOURCES:
            path = folder / file_name
            if not path.exists():
                continue
            outcome = import_file(
                path, fmt, source_name=source, source_type=source_type, actor=f"demo:{os_user()}"
            )
            outcomes.append((file_name, fmt, outcome))
        console.print(_sources_table(outcomes))
        console.print(
            _("Linking the sources: reports into incidents, victim records into persons …")
        )
        linkage = {
            kind: run_linkage(kind, user=f"demo:{os_user()}") for kind in ("incident", "person")
        }
        console.print(_register_table(linkage))
        self._estimate(console)
        brief = self._advocacy(console)
        self._print_next_steps(console, outcomes, brief)
        if not options["no_serve"]:
            self._serve(console, int(str(options["port"])))

    def _estimate(self, console: Console) -> None:
        """Documented vs estimated victims by region, so the Estimates page is not empty."""
        from civharm.analysis.estimates import estimate_options, run_estimates
        from civharm.analysis.management.commands.estimate import figures_table

        console.print(
            _("Estimating how many victims no list documented (three lists, by region) …")
        )
        # Shorter than a real run's (settings.CIVHARM_ESTIMATION): the demo is for a first
        # look; its chains are still checked (R-hat) and say so if they disagree.
        options = estimate_options(iterations=4000, bootstrap=199, seed=2024)
        run = run_estimates(user=f"demo:{os_user()}", by=("region",), options=options)
        console.print(figures_table(run))
        console.print(
            _(
                "Small strata get wide intervals or none, and say why: the web application's "
                "Estimates page shows each warning, the caveats and the lists used."
            )
        )

    def _advocacy(self, console: Console) -> Path:
        """Generated interviews and consultations, a few recommendations with their evidence,
        and a sample brief, so the research and advocacy pages are not empty. The brief is
        disclosure-controlled like any other."""
        from civharm.advocacy.briefs import write_demo_brief
        from civharm.advocacy.demo import seed_demo_recommendations
        from civharm.research.demo import seed_demo_research

        # Interviews (with consent, coding and approved quotes) before the brief, whose
        # "Voices" section quotes them by pseudonym.
        research = seed_demo_research(actor=f"demo:{os_user()}")
        if any(research.values()):
            console.print(
                _(
                    "Research: {interviews} interviews (with consent records), {excerpts} coded "
                    "passages, {quotes} quotes, {consultations} consultations."
                ).format(**research)
            )
        from civharm.training.demo import seed_demo_training

        training = seed_demo_training(actor=f"demo:{os_user()}")
        if any(training.values()):
            console.print(
                _(
                    "Training: {modules} modules, {sessions} sessions, {participants} "
                    "participants (service numbers protected), {attempts} tests scored, "
                    "{scenarios} case study built from the incidents."
                ).format(**training)
            )
        seed_demo_recommendations(actor=f"demo:{os_user()}")
        console.print(_("Writing a sample advocacy brief (French, Mopti region) …"))
        return write_demo_brief(Path(settings.DATA_DIR))

    def _serve(self, console: Console, port: int) -> None:
        from waitress import serve

        from civharm.accounts.demo_accounts import create_demo_accounts
        from civharm.wsgi import application

        self.check()  # the web app's system checks (commands skip them): before it serves
        console.print(_accounts_table(create_demo_accounts()))
        address = f"http://127.0.0.1:{port}/"
        console.print(
            "\n"
            + _("The web application is at {address} (Ctrl-C to stop).").format(address=address)
        )
        serve(application, host="127.0.0.1", port=port, threads=4, ident="civharm")

    def _print_next_steps(
        self, console: Console, outcomes: list[tuple[str, str, ImportOutcome]], brief: Path
    ) -> None:
        data = settings.DATA_DIR
        reports = [o.error_report for _f, _fmt, o in outcomes if o.error_report]
        console.print("\n" + _("The demo register is in {folder}.").format(folder=data))
        console.print(_("The sample advocacy brief is {path}.").format(path=brief), highlight=False)
        if reports:
            console.print(
                _("Rejected rows (deliberate bad rows in the demo sources) are listed in:")
            )
            for report in reports:
                console.print(f"  {report}")
        console.print(
            _(
                "Uncertain pairs wait in the web application's review queue (menu « Linkage "
                "review », /linkage/).\n"
                "The register as files:\n"
                "  civharm --data-dir {folder} export incidents --format xlsx -o incidents.xlsx\n"
                "  civharm --data-dir {folder} export persons -o persons.csv   (pseudonyms only)\n"
                "  civharm --data-dir {folder} export incidents -o incidents.geojson\n"
                "Running `civharm demo` again is safe: every source is imported idempotently, "
                "and `civharm link` links again keeping every decision."
            ).format(folder=data),
            highlight=False,
        )


def _sources_table(outcomes: list[tuple[str, str, ImportOutcome]]) -> Table:
    table = Table(title=_("Demo sources imported"))
    for column in (
        _("file"),
        _("importer"),
        _("source"),
        _("new rows"),
        _("already there"),
        _("rejected rows"),
    ):
        table.add_column(column)
    for file_name, fmt, outcome in outcomes:
        table.add_row(
            file_name,
            fmt,
            outcome.source,
            str(outcome.imported),
            str(outcome.duplicates),
            str(len(outcome.errors)),
        )
    return table


def _register_table(linkage: dict[str, dict[str, int]]) -> Table:
    table = Table(title=_("The register now holds"))
    table.add_column(_("region"))
    table.add_column(_("incidents (linked)"), justify="right")
    by_region = (
        Incident.objects.filter(merged_into=None)
        .values("admin1_name")
        .annotate(n=Count("id"))
        .order_by("-n", "admin1_name")
    )
    for row in by_region:
        table.add_row(row["admin1_name"] or _("(unknown)"), str(row["n"]))
    table.add_section()
    table.add_row(_("reports"), str(Report.objects.count()))
    table.add_row(_("persons (by pseudonym)"), str(Person.objects.filter(merged_into=None).count()))
    table.add_row(_("persons placed in an incident"), str(linkage["person"]["persons_placed"]))
    table.add_row(
        _("pairs waiting for review (incidents, persons)"),
        f"{linkage['incident']['review_pairs']}, {linkage['person']['review_pairs']}",
    )
    return table


def _accounts_table(accounts: list[DemoAccount]) -> Table:
    table = Table(title=_("Demo accounts (new passwords at each run)"))
    for column in (_("user name"), _("role"), _("password"), _("backup codes (second factor)")):
        table.add_column(column)
    for account in accounts:
        table.add_row(
            account.username,
            str(ROLES[account.role]),
            account.password,
            " ".join(account.backup_codes) or "—",
        )
    return table
