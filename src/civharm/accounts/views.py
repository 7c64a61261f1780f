"""Log in, second factor (TOTP with backup codes), log out.

Every role that can see identities must confirm a TOTP device before reaching any page.
"""

from __future__ import annotations

import secrets

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from civharm.accounts import audit
from civharm.accounts.forms import OneTimeCodeForm

BACKUP_CODES = 10


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("accounts:login")


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor of a user who has a confirmed device."""
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(request.GET.get("next") or "web:home")
        form.add_error("code", _("This code is not valid. Try the current code again."))
    return render(request, "accounts/verify.html", {"form": form})


@login_required
def setup_two_factor(request: HttpRequest) -> HttpResponse:
    """Register a TOTP device (QR code), confirm it with one code, then show backup codes once."""
    if any(True for _ in devices_for_user(request.user, confirmed=True)):
        return redirect("accounts:verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            codes = _confirm_device(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error(
            "code", _("This code is not valid. Check the time on your phone and try again.")
        )
    qr = segno.make(device.config_url, error="m")
    context = {"form": form, "qr": qr.svg_data_uri(scale=4), "secret": _base32_secret(device)}
    return render(request, "accounts/setup_2fa.html", context)


def _confirm_device(request: HttpRequest, device: TOTPDevice) -> list[str]:
    with transaction.atomic():
        device.confirmed = True
        device.save()
        backup, _created = StaticDevice.objects.get_or_create(user=request.user, name="backup")
        backup.token_set.all().delete()
        codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=c) for c in codes])
        audit.record(
            request.user.username, "create", "TOTPDevice", device.pk, reason="two-factor set up"
        )
    otp_login(request, device)
    messages.success(request, _("Two-factor authentication is on."))
    return codes


def _base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
