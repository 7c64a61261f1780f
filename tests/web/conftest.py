"""Clients logged in as each role (with the second factor given where the role needs one)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from civharm.accounts.models import User
from civharm.accounts.roles import ROLES, requires_two_factor

PASSWORD = "correct horse battery staple 42"


def make_user(role: str, username: str | None = None) -> User:
    return User.objects.create_user(username or f"{role}-user", password=PASSWORD, role=role)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    if requires_two_factor(user.role):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(db: None) -> Callable[[str], Client]:
    """client_for("analyst") -> a Client logged in as a new analyst."""

    def build(role: str) -> Client:
        assert role in ROLES, role
        return logged_in(make_user(role))

    return build


@pytest.fixture(autouse=True)
def _english_pages(settings) -> None:  # type: ignore[no-untyped-def]
    """Assertions here read English; French pages are covered by tests/test_translations.py
    and the browser tests (where French stays the default)."""
    settings.LANGUAGE_CODE = "en"
