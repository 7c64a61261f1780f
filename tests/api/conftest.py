"""Users with tokens for each role, and a small register of generated incidents and people."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client

from civharm.accounts.models import User
from civharm.analysis.snapshot import forget_register_snapshot
from civharm.api.tokens import issue_token
from civharm.incidents.models import (
    Actor,
    HarmCount,
    Incident,
    IncidentPerpetrator,
    Person,
    Report,
    Source,
)

PERSON_NAME = "Fatoumata KONATÉ"  # generated; must never appear in any answer
PERSON_CONTACT = "+223 70 00 00 00"
PERSON_COMMUNITY = "communauté-test"


class ApiClient:
    """The Django test client with a bearer token on every request."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client()

    def get(self, path: str, **params: object) -> object:
        return self.client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {self.secret}")


@pytest.fixture(autouse=True)
def _fresh_snapshot(settings: Any) -> Iterator[None]:
    """Published aggregates read the process's DuckDB copy: rebuilt for each test's register."""
    settings.CIVHARM = {**settings.CIVHARM, "ANALYSIS_REFRESH_SECONDS": 0}
    forget_register_snapshot()
    yield
    forget_register_snapshot()


@pytest.fixture
def token_for(db: None) -> Callable[[str], str]:
    """token_for("analyst") -> the secret of a new token of a new analyst."""

    def build(role: str) -> str:
        user = User.objects.create_user(f"{role}-api", role=role)
        return issue_token(user, issued_by="test", by_administrator=True).secret

    return build


@pytest.fixture
def api_as(token_for: Callable[[str], str]) -> Callable[[str], ApiClient]:
    return lambda role: ApiClient(token_for(role))


def make_incident(
    *,
    day: date = date(2022, 3, 14),
    admin1: tuple[str, str] = ("ML04", "Ségou"),
    admin2: tuple[str, str] = ("ML0405", "Niono"),
    actor: str = "fama",
    killed: int | None = 12,
    grade: str = "fair",
    context: str = "ground_operation",
    reports: int = 2,
    persons: int = 1,
) -> Incident:
    incident = Incident.objects.create(
        date_start=day,
        date_end=day,
        date_precision="day",
        place_name=admin2[1],
        admin1_pcode=admin1[0],
        admin1_name=admin1[1],
        admin2_pcode=admin2[0],
        admin2_name=admin2[1],
        latitude=14.25,
        longitude=-5.99,
        geo_precision="exact",
        interaction_context=context,
        assessment_grade=grade,
        description=f"Témoin: {PERSON_NAME}",
    )
    actor_row, _ = Actor.objects.get_or_create(
        key=actor, defaults={"category": "state_forces", "name_fr": actor, "name_en": actor}
    )
    IncidentPerpetrator.objects.create(incident=incident, actor=actor_row)
    if killed is not None:
        HarmCount.objects.create(
            incident=incident, harm_type="killed", low=killed, best=killed, high=killed + 2
        )
    source, _ = Source.objects.get_or_create(name="ONG test", defaults={"source_type": "ngo"})
    for number in range(reports):
        Report.objects.create(
            source=source,
            record_id=f"{incident.pk}-{number}",
            kind="event",
            source_format="csv",
            payload=f'{{"nom": "{PERSON_NAME}"}}',
            payload_sha256="0" * 64,
            reliability="B",
            credibility="2",
            harm={"killed": [killed, killed, killed]},
            incident=incident,
        )
    for number in range(persons):
        Person.objects.create(
            pseudonym=f"P-{incident.pk:04d}-{number}",
            name_encrypted=PERSON_NAME,
            contact_encrypted=PERSON_CONTACT,
            community_encrypted=PERSON_COMMUNITY,
            sex="female",
            age_band="30-39",
            harm_type="killed",
            incident=incident,
        )
    return incident


@pytest.fixture(autouse=True)
def _english_messages(settings) -> None:  # type: ignore[no-untyped-def]
    """Assertions here read English messages; French is covered by tests/test_translations.py."""
    settings.LANGUAGE_CODE = "en"
