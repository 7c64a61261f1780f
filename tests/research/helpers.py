"""Generated interviews for the research tests (invented people only)."""

from __future__ import annotations

from datetime import date

from civharm.accounts.models import User
from civharm.research.models import Interview
from civharm.research.services import InterviewInput, record_interview

NAME = "Awa Traoré-Testdata"  # invented
NARRATIVE = (
    "Nous avons fui le village après l'attaque du marché. "
    "Mon frère a disparu. Nous avons peur de rentrer et nous voulons la justice."
)


def make_user(role: str, username: str | None = None) -> User:
    return User.objects.create_user(username or f"{role}-user", password="x" * 20, role=role)


def make_interview(**changes: object) -> Interview:
    values: dict[str, object] = {
        "interviewed_on": date(2025, 3, 14),
        "interviewer": "field_researcher-user",
        "admin1_pcode": "ML05",
        "name": NAME,
        "contact": "+223 70 00 00 00",
        "community": "Communauté test",
        "sex": "female",
        "age_band": "25-34",
        "displacement_status": "displaced",
        "narrative": NARRATIVE,
        "harms": ["killed", "displaced_households"],
        "for_publication": True,
    }
    values.update(changes)
    return record_interview(InterviewInput(**values), actor="field_researcher-user")  # type: ignore[arg-type]
