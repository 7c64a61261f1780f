"""civharm backup FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts import audit
from civharm.incidents.management.commands._console import TranslatedCommand, os_user
from civharm.incidents.services.backup import BackupError, backup


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Write a consistent backup of the register (SQLite online backup, or pg_dump). "
        "The field-encryption key is not in it: keep the key separately. "
        "Example: civharm backup /media/usb/civharm-2026-11-25.sqlite3"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        audit.record(f"cli:{os_user()}", "backup", "database", details={"file": path.name})
        self.stdout.write(_("Backup written and verified: {path}").format(path=path))
