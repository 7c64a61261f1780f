"""civharm restore FILE — replace the register with a backup, keeping a safety copy."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts import audit
from civharm.accounts.keys import KeyMismatch
from civharm.incidents.management.commands._console import TranslatedCommand, os_user
from civharm.incidents.services.backup import BackupError, restore


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Replace the register with a backup made by `civharm backup` (checked first; the "
        "current register is kept as a safety copy in DATA_DIR/backups/). "
        "Example: civharm restore /media/usb/civharm-2026-11-25.sqlite3"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not options["yes"] and not self._confirmed():
            raise CommandError(_("nothing restored"))
        try:
            safety = restore(path)
        except (BackupError, KeyMismatch) as exc:
            raise CommandError(str(exc)) from None
        audit.record(
            f"cli:{os_user()}",
            "restore",
            "database",
            details={"file": path.name, "safety_copy": safety.name if safety else ""},
        )
        self.stdout.write(_("Register restored from {path}").format(path=path))
        if safety:
            self.stdout.write(_("The replaced register is kept in {path}").format(path=safety))

    def _confirmed(self) -> bool:
        if not sys.stdin.isatty():
            self.stderr.write(
                _("restore replaces the register: run it again with --yes to confirm")
            )
            return False
        answer = input(
            _("This replaces the whole register (a safety copy is kept). Continue? [y/N] ")
        )
        return answer.strip().lower() in {"y", "yes", "o", "oui"}
