"""civharm audit verify — check that no audit entry was altered or removed from the chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civharm.accounts.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail. Example: civharm audit verify"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: object, **options: object) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"the audit trail is broken at entry {report.broken_at}: an entry was altered "
                "or removed. Keep this database as evidence and restore from a backup."
            )
        self.stdout.write(f"Audit trail intact: {report.entries} entries verified.")
