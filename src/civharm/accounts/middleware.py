"""Session lifetime and the two-factor rule, enforced on every request.

Idle timeout: SESSION_COOKIE_AGE with the session saved at each request. Absolute timeout:
SESSION_ABSOLUTE_TIMEOUT seconds after login, whatever the activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from civharm.accounts.roles import requires_two_factor

LOGIN_STARTED = "civharm_login_at"
# Pages a user who still owes a second factor may open.
OPEN_TO_HALF_LOGGED_IN = (
    "accounts:verify",
    "accounts:setup_2fa",
    "accounts:logout",
    "set_language",
)


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.setdefault(LOGIN_STARTED, time.time())
            if time.time() - float(started) > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """A user whose role can see identities reaches nothing until the second factor is given."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not requires_two_factor(user.role):  # type: ignore[union-attr]
            return None
        if user.is_verified():  # type: ignore[union-attr]
            return None
        if _view_name(request) in OPEN_TO_HALF_LOGGED_IN:
            return None
        from django_otp import devices_for_user

        has_device = any(True for _ in devices_for_user(user, confirmed=True))
        return redirect("accounts:verify" if has_device else "accounts:setup_2fa")


def _view_name(request: HttpRequest) -> str:
    match = request.resolver_match
    if match is None:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)
