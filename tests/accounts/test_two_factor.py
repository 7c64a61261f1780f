"""Log-in, lockout and the two-factor rule, through the real views and a real database."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from civharm.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def _login(client: Client, username: str, password: str = PASSWORD) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_analyst_must_set_up_totp_then_gets_backup_codes(client: Client) -> None:
    User.objects.create_user("awa", password=PASSWORD, role="analyst")
    _login(client, "awa")
    response = client.get(reverse("web:home"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:setup_2fa")
    page = client.get(reverse("accounts:setup_2fa"))
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user__username="awa")
    done = client.post(reverse("accounts:setup_2fa"), {"code": _current_code(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert client.get(reverse("web:home")).status_code == 200


def test_second_login_asks_for_the_code_and_accepts_a_backup_code_once(client: Client) -> None:
    User.objects.create_user("awa", password=PASSWORD, role="analyst")
    _login(client, "awa")
    client.get(reverse("accounts:setup_2fa"))
    device = TOTPDevice.objects.get(user__username="awa")
    codes = client.post(reverse("accounts:setup_2fa"), {"code": _current_code(device)}).context[
        "codes"
    ]
    client.post(reverse("accounts:logout"))
    _login(client, "awa")
    assert client.get(reverse("web:home"))["Location"] == reverse("accounts:verify")
    assert client.post(reverse("accounts:verify"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("web:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    _login(client, "awa")
    reused = client.post(reverse("accounts:verify"), {"code": codes[0]})
    assert reused.status_code == 200  # a backup code works once
    assert client.get(reverse("web:home")).status_code == 302


def test_a_role_reading_no_identity_needs_no_second_factor(client: Client) -> None:
    # Trainers read soldiers' service numbers, so they need one; advocacy officers do not.
    User.objects.create_user("moussa", password=PASSWORD, role="advocacy_officer")
    _login(client, "moussa")
    assert client.get(reverse("web:home")).status_code == 200


def test_lockout_after_repeated_failures(client: Client) -> None:
    User.objects.create_user("moussa", password=PASSWORD, role="trainer")
    for _ in range(5):
        _login(client, "moussa", "wrong password")
    locked = _login(client, "moussa")
    assert locked.status_code == 429
    assert client.get(reverse("web:home")).status_code == 302  # still not logged in


def test_short_and_common_passwords_are_refused() -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("short1", "password1234", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_production_settings_pass_check_deploy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civharm.settings_production"}
    env["CIVHARM_DATA"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_security_headers_on_every_page(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
