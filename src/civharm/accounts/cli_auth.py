"""Who is at the command line: a civharm user checked by password, for audited commands.

The password comes from CIVHARM_PASSWORD (for scripts) or a prompt; it is never echoed.
"""

from __future__ import annotations

import getpass
import os

from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext as _

from civharm.accounts.models import User


class CliAuthError(Exception):
    """Wrong user name or password, or an inactive account."""


def authenticate_cli_user(username: str) -> User:
    password = os.environ.get("CIVHARM_PASSWORD")
    if password is None:
        try:
            password = getpass.getpass(_("Password for {name}: ").format(name=username))
        except EOFError:  # no terminal to ask on (a script, cron): say how to give it
            raise CliAuthError(
                _("no password was given: type it when asked, or set CIVHARM_PASSWORD")
            ) from None
    # The command line has no HTTP request for the lockout backend: check the password directly.
    user = ModelBackend().authenticate(None, username=username, password=password)
    if user is None or not user.is_active:
        raise CliAuthError(_("unknown user or wrong password"))
    return user  # type: ignore[return-value]
