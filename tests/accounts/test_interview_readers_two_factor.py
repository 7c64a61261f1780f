"""Narratives name people: every role that may read interviews logs in with a second factor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import User
from civharm.accounts.roles import ROLES, can, requires_two_factor

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple 42"


def test_every_role_that_reads_interviews_needs_a_second_factor() -> None:
    readers = {role for role in ROLES if can(role, "view_interviews")}
    assert "field_researcher" in readers
    assert all(requires_two_factor(role) for role in readers)
    assert not requires_two_factor("partner")


def test_a_field_researcher_is_sent_to_set_up_the_second_factor(client: Client) -> None:
    User.objects.create_user("kadia", password=PASSWORD, role="field_researcher")
    client.post(reverse("accounts:login"), {"username": "kadia", "password": PASSWORD})
    for page in (reverse("web:home"), reverse("web:interviews")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:setup_2fa")
