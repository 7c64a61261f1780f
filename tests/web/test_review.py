"""The review workflow from the incident page: assign, comment, grade, approve — each a CSRF
POST, stored, audited in the same transaction, and shown in the incident's history."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.audit import verify_chain
from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES
from civharm.incidents.models import Incident, ReviewEvent
from tests.web.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]


@pytest.fixture
def incident() -> Incident:
    return Incident.objects.create(date_start=datetime.date(2023, 1, 20), admin1_name="Gao")


def act(client: Client, incident: Incident, kind: str, data: dict[str, str] | None = None):
    return client.post(reverse("web:incident_review", args=[incident.pk, kind]), data or {})


def status_of(incident: Incident) -> tuple[str, str]:
    incident.refresh_from_db()
    return incident.review_status, incident.assessment_grade


def test_full_review_moves_new_to_approved_and_audits_each_step(
    client_for: ClientFor, incident: Incident
) -> None:
    client = client_for("analyst")
    colleague = make_user("administrator", "awa-admin")
    act(client, incident, "assign", {"assignee": colleague.username})
    assert status_of(incident) == ("in_review", "")
    act(client, incident, "comment", {"text": "Two sources agree on the date."})
    assert status_of(incident) == ("in_review", "")
    act(client, incident, "grade", {"grade": "fair", "text": "Only one local source."})
    assert status_of(incident) == ("reviewed", "fair")
    response = act(client, incident, "approve")
    assert response.status_code == 302 and status_of(incident) == ("approved", "fair")
    kinds = list(ReviewEvent.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds == ["approve", "grade", "comment", "assign"]
    actions = AuditEntry.objects.filter(object_type="incident", object_id=str(incident.pk))
    assert list(actions.order_by("id").values_list("action", "actor")) == [
        ("review_assign", "analyst-user"),
        ("review_comment", "analyst-user"),
        ("review_grade", "analyst-user"),
        ("review_approve", "analyst-user"),
    ]
    assert verify_chain().ok


def test_history_and_review_list_show_who_did_what(
    client_for: ClientFor, incident: Incident
) -> None:
    client = client_for("analyst")
    act(client, incident, "comment", {"text": "Check the cercle."})
    page = client.get(reverse("web:incident", args=[incident.pk])).content.decode()
    assert "commented" in page and "analyst-user" in page and "Check the cercle." in page


def test_approving_an_ungraded_incident_is_refused(
    client_for: ClientFor, incident: Incident
) -> None:
    client = client_for("analyst")
    response = act(client, incident, "approve")
    assert response.status_code == 302 and status_of(incident) == ("new", "")
    assert not ReviewEvent.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="review_").exists()
    follow = client.get(response["Location"])
    assert "Grade the incident before approving it." in follow.content.decode()


def test_regrading_an_approved_incident_sends_it_back_to_reviewed(
    client_for: ClientFor, incident: Incident
) -> None:
    client = client_for("analyst")
    act(client, incident, "grade", {"grade": "confirmed"})
    act(client, incident, "approve")
    act(client, incident, "grade", {"grade": "contested"})
    assert status_of(incident) == ("reviewed", "contested")


def test_only_grades_of_the_country_pack_are_accepted(
    client_for: ClientFor, incident: Incident
) -> None:
    act(client_for("analyst"), incident, "grade", {"grade": "certain"})
    assert status_of(incident) == ("new", "")


def test_an_incident_cannot_be_assigned_to_a_trainer(
    client_for: ClientFor, incident: Incident
) -> None:
    trainer = make_user("trainer", "moussa-trainer")
    act(client_for("analyst"), incident, "assign", {"assignee": trainer.username})
    assert status_of(incident) == ("new", "") and not ReviewEvent.objects.exists()


def test_an_empty_comment_is_refused(client_for: ClientFor, incident: Incident) -> None:
    act(client_for("analyst"), incident, "comment", {"text": "   "})
    assert not ReviewEvent.objects.exists()


def test_review_actions_need_the_csrf_token(incident: Incident) -> None:
    client = logged_in(make_user("analyst"))
    client.handler.enforce_csrf_checks = True
    assert act(client, incident, "comment", {"text": "no token"}).status_code == 403
    assert not ReviewEvent.objects.exists()


def test_review_actions_are_posts_only(client_for: ClientFor, incident: Incident) -> None:
    url = reverse("web:incident_review", args=[incident.pk, "approve"])
    assert client_for("analyst").get(url).status_code == 405


def test_unknown_action_or_incident_is_404(client_for: ClientFor, incident: Incident) -> None:
    client = client_for("analyst")
    assert act(client, incident, "delete").status_code == 404
    missing = reverse("web:incident_review", args=[999999, "comment"])
    assert client.post(missing, {"text": "x"}).status_code == 404


@pytest.mark.parametrize("role", list(ROLES))
def test_only_reviewers_may_act(client_for: ClientFor, incident: Incident, role: str) -> None:
    response = act(client_for(role), incident, "comment", {"text": "A note."})
    expected = 302 if role in ("administrator", "analyst") else 403
    assert response.status_code == expected
    assert ReviewEvent.objects.exists() == (expected == 302)


def test_review_forms_are_shown_to_reviewers_only(
    client_for: ClientFor, incident: Incident
) -> None:
    url = reverse("web:incident", args=[incident.pk])
    assert b"csrfmiddlewaretoken" in client_for("analyst").get(url).content
    trainer_page = client_for("trainer").get(url).content.decode()
    assert reverse("web:incident_review", args=[incident.pk, "grade"]) not in trainer_page


def test_anonymous_review_post_goes_to_log_in(client: Client, incident: Incident) -> None:
    response = act(client, incident, "comment", {"text": "x"})
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_a_comment_or_grade_naming_a_victim_is_refused_and_nothing_is_recorded(
    client_for: ClientFor, incident: Incident, tmp_path
) -> None:
    """Every staff role reads the incident page, most may not read names: a comment or a
    grade's reason holding a word of any victim's name is refused, the refusal audited
    without the word. Victims: generated people, through the real importer."""
    from civharm.incidents.services.importing import import_file
    from tests.incidents.factories import write_victims

    import_file(write_victims(tmp_path / "ong.csv"), "victims", source_name="ONG test",
                in_background=False)  # fmt: skip
    client = client_for("analyst")
    response = act(client, incident, "comment", {"text": "Le témoin Sangaré confirme la date."})
    said = [str(m) for m in response.context["messages"]]
    assert any("word of a victim's name" in m for m in said)
    # the page again, the comment kept to be mended, in this reply only and never cached
    assert "Le témoin Sangaré confirme la date.</textarea>" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    back = reverse("web:incident", args=[incident.pk])  # switching language comes back here
    assert f'name="next" type="hidden" value="{back}"' in response.content.decode()
    act(client, incident, "grade", {"grade": "fair", "text": "Hamadoun's family says so."})
    assert not ReviewEvent.objects.exists() and status_of(incident) == ("new", "")
    refusals = AuditEntry.objects.filter(action="lookup", object_type="incident")
    assert refusals.count() == 2
    assert not any("Sangar" in str(e.details) + e.reason for e in refusals)
    act(client, incident, "comment", {"text": "Deux sources concordent sur la date."})
    assert ReviewEvent.objects.get().kind == "comment"
    page = client.get(reverse("web:incident", args=[incident.pk])).content.decode()
    assert "Never write a victim" in page
