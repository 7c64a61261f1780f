"""Bearer-token authentication and capability checks for the API (same rules as the pages).

A missing, unknown, expired or revoked token is a 401; a missing capability is a 403.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from civharm.accounts.models import User
from civharm.api.tokens import user_for_secret


class BearerToken(HttpBearer):
    """`Authorization: Bearer civ_…`: the request acts as the token's user, with its role."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_secret(token.strip())
        if user is not None:
            request.user = user
        return user


def require_capability(request: HttpRequest, capability: str) -> User:
    """The authenticated user, or a 403 when their role lacks `capability`."""
    user: User = request.auth
    if not user.can(capability):
        raise HttpError(403, _("Your role does not allow this."))
    return user
