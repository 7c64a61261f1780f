"""civharm createuser NAME --role ROLE — a user with one role; the password is prompted."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts import audit
from civharm.accounts.models import User
from civharm.accounts.roles import ROLES
from civharm.incidents.management.commands._console import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Create a user. Example: civharm createuser awa --role analyst")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLES), required=True)

    def handle(self, *args: object, **options: object) -> None:
        username, role = str(options["username"]), str(options["role"])
        if User.objects.filter(username=username).exists():
            raise CommandError(_("a user named {name} already exists").format(name=username))
        password = os.environ.get("CIVHARM_PASSWORD") or getpass.getpass(_("Password: "))
        user = User(username=username, role=role)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        audit.record("cli", "create", "User", user.pk, details={"role": role})
        self.stdout.write(
            _("User {name} created with the role {role}.").format(name=username, role=role)
        )
