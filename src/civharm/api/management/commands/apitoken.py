"""civharm apitoken create|list|revoke — API tokens for the JSON API, audited.

Run on the server by its administrator, so it may issue tokens for any role, including those
that need a second factor. The secret is printed once and never stored.
"""

from __future__ import annotations

import getpass

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civharm.accounts.models import User
from civharm.api.models import ApiToken
from civharm.api.tokens import issue_token, revoke_token
from civharm.incidents.management.commands._console import TranslatedCommand


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Issue, list or revoke API tokens. Examples: civharm apitoken create awa "
        "--expires-days 90; civharm apitoken list awa; civharm apitoken revoke civ_AbCdEfGh"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help=_("issue a token and print it once"))
        create.add_argument("username")
        create.add_argument("--expires-days", type=int, default=None)
        create.add_argument("--label", default="")
        listing = actions.add_parser("list", help=_("list tokens (prefixes only)"))
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help=_("revoke a token by its prefix"))
        revoke.add_argument("prefix")
        revoke.add_argument("--reason", default="")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "create":
            self._create(str(options["username"]), options["expires_days"], options["label"])
        elif action == "list":
            self._list(options.get("username"))
        else:
            self._revoke(str(options["prefix"]), str(options["reason"]))

    def _create(self, username: str, expires_days: object, label: object) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("no user named {name}").format(name=username))
        if expires_days is not None and int(expires_days) < 1:  # type: ignore[call-overload]
            raise CommandError(_("--expires-days must be 1 or more"))
        issued = issue_token(
            user,
            issued_by=_cli_actor(),
            expires_days=int(expires_days) if expires_days is not None else None,  # type: ignore[call-overload]
            label=str(label),
            by_administrator=True,
        )
        self.stderr.write(_("Token for {name} (shown once; keep it secret):").format(name=username))
        self.stdout.write(issued.secret)

    def _list(self, username: object) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=str(username))
        for token in tokens:
            state = _("revoked") if token.revoked_at else _("active")
            if not token.revoked_at and not token.is_usable():
                state = _("expired")
            used = token.last_used_at.isoformat() if token.last_used_at else "-"
            expires = token.expires_at.isoformat() if token.expires_at else "-"
            self.stdout.write(
                f"{token.prefix}  {token.user.username}  {state}  {expires}  {used}  {token.label}"
            )

    def _revoke(self, prefix: str, reason: str) -> None:
        matches = list(ApiToken.objects.select_related("user").filter(prefix=prefix))
        if len(matches) != 1:
            raise CommandError(_("no single token has the prefix {prefix}").format(prefix=prefix))
        if not revoke_token(matches[0], revoked_by=_cli_actor(), reason=reason):
            raise CommandError(_("this token was already revoked"))
        self.stdout.write(_("Token {prefix} revoked.").format(prefix=prefix))
