"""Issuing, checking and revoking API tokens; every issue and revocation is audited.

The secret is returned once by `issue_token` and never stored, logged or audited: only its
SHA-256 hash and a short prefix are kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civharm.accounts import audit
from civharm.accounts.models import User
from civharm.accounts.roles import requires_two_factor
from civharm.api.models import ApiToken

TOKEN_PREFIX = "civ_"  # noqa: S105 -- a public marker that starts every token, not a secret
PREFIX_LENGTH = 12  # "civ_" and 8 characters of the secret: enough to tell tokens apart
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per token and minute


class TwoFactorNeededForToken(Exception):
    """A token for a role that needs a second factor was asked for without one."""


@dataclass(frozen=True)
class IssuedToken:
    secret: str  # shown to the person once, then forgotten
    token: ApiToken


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(
    user: User,
    *,
    issued_by: str,
    expires_days: int | None = None,
    label: str = "",
    second_factor_verified: bool = False,
    by_administrator: bool = False,
) -> IssuedToken:
    """A new token for `user`. For a role that needs two factors, only the user after a
    verified session (`second_factor_verified`) or an administrator may issue one."""
    if requires_two_factor(user.role) and not (second_factor_verified or by_administrator):
        raise TwoFactorNeededForToken(user.role)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            label=label,
            prefix=secret[:PREFIX_LENGTH],
            token_sha256=hash_secret(secret),
            created_at=now,
            created_by=issued_by,
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
        )
        audit.record(
            issued_by,
            "create",
            "ApiToken",
            token.pk,
            fields=["user", "expires_at", "label"],
            details={"user": user.username, "prefix": token.prefix, "expires_days": expires_days},
        )
    return IssuedToken(secret=secret, token=token)


def revoke_token(token: ApiToken, *, revoked_by: str, reason: str = "") -> bool:
    """Revoke `token`; False when it already was."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            audit.record(
                revoked_by,
                "revoke",
                "ApiToken",
                token.pk,
                fields=["revoked_at"],
                reason=reason,
                details={"user": token.user.username, "prefix": token.prefix},
            )
    return bool(changed)


def user_for_secret(secret: str) -> User | None:
    """The active user a usable token belongs to, or None; records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_sha256=hash_secret(secret)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
