"""civharm audit verify — check that no audit entry was altered or removed from the chain."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts.audit import verify_chain
from civharm.incidents.management.commands._console import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Verify the hash chain of the audit trail. Example: civharm audit verify")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        report = verify_chain()
        if report.truncated:
            raise CommandError(
                _(
                    "entries were removed from the end of the audit trail (it now holds "
                    "{count}). Keep this database as evidence and restore from a backup."
                ).format(count=report.entries)
            )
        if not report.ok:
            raise CommandError(
                _(
                    "the audit trail is broken at entry {entry}: an entry was altered or "
                    "removed. Keep this database as evidence and restore from a backup."
                ).format(entry=report.broken_at)
            )
        self.stdout.write(
            _("Audit trail intact: {count} entries verified.").format(count=report.entries)
        )
