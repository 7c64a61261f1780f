"""civharm restore FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts import audit
from civharm.incidents.management.commands._console import os_user
from civharm.incidents.services.backup import BackupError, restore


class Command(BaseCommand):
    help = gettext_lazy(
        "Replace the register with a backup made by `civharm backup` (checked first). "
        "Example: civharm restore /media/usb/civharm-2026-11-25.sqlite3"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        from civharm.incidents.services.database import ensure_database

        ensure_database()  # a backup from an older version is upgraded in place
        audit.record(f"cli:{os_user()}", "restore", "database", details={"file": path.name})
        self.stdout.write(_("Register restored from {path}").format(path=path))
