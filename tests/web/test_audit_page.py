"""The administrator's audit page: newest first, filters, pagination, and whether the chain
verifies — including after someone tampers with an entry."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from civharm.accounts import audit
from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


def fill(count: int, **kwargs: str) -> None:
    for n in range(count):
        audit.record(
            kwargs.get("actor", "cli"),
            kwargs.get("action", "import"),
            kwargs.get("object_type", "ImportRun"),
            n,
        )


def ids(response: Any) -> list[int]:
    return [entry.pk for entry in response.context["page"].object_list]


def test_entries_are_listed_newest_first_and_the_chain_verifies(client_for: ClientFor) -> None:
    fill(3)
    response = client_for("administrator").get(reverse("web:audit"))
    assert response.status_code == 200
    assert ids(response) == sorted(ids(response), reverse=True)
    assert response.context["chain"].ok and 'class="chain-ok"' in response.content.decode()


def test_filters_by_actor_action_record_type_and_date(client_for: ClientFor) -> None:
    fill(2, actor="awa", action="export", object_type="incidents")
    fill(3, actor="cli", action="import", object_type="ImportRun")
    client = client_for("administrator")
    url = reverse("web:audit")
    assert client.get(url, {"actor": "awa"}).context["page"].paginator.count == 2
    assert client.get(url, {"action": "import"}).context["page"].paginator.count == 3
    assert client.get(url, {"object_type": "incidents"}).context["page"].paginator.count == 2
    today = timezone.localdate()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert client.get(url, {"date_from": tomorrow}).context["page"].paginator.count == 0
    assert client.get(url, {"date_to": tomorrow}).context["page"].paginator.count >= 5


def test_pages_hold_fifty_entries(client_for: ClientFor) -> None:
    fill(60)
    client = client_for("administrator")
    assert len(ids(client.get(reverse("web:audit"), {"action": "import"}))) == 50
    second = client.get(reverse("web:audit"), {"action": "import", "page": 2})
    assert len(ids(second)) == 10


def test_a_tampered_entry_shows_the_chain_broken(client_for: ClientFor) -> None:
    fill(3)
    victim = AuditEntry.objects.order_by("id")[1]
    AuditEntry.objects.filter(pk=victim.pk).update(reason="rewritten later")
    response = client_for("administrator").get(reverse("web:audit"))
    assert not response.context["chain"].ok
    assert response.context["chain"].broken_at == victim.pk
    assert 'class="chain-broken"' in response.content.decode()


@pytest.mark.parametrize("role", list(ROLES))
def test_only_administrators_see_the_audit_trail(client_for: ClientFor, role: str) -> None:
    response = client_for(role).get(reverse("web:audit"))
    assert response.status_code == (200 if role == "administrator" else 403)


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("web:audit"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]
