"""The recommendations tracker's pages: list with filters and counts, detail with history and
evidence, new and edit (incident codes validated), status changes, audit entries, permissions."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import AuditEntry
from civharm.advocacy.models import Recommendation
from civharm.advocacy.recommendations import (
    RecommendationInput,
    create_recommendation,
    record_status,
)
from civharm.incidents.models import Incident

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]
D = datetime.date


@pytest.fixture
def tracker() -> dict[str, object]:
    """Two recommendations: an adviser post (government, accepted) and a checkpoint directive
    (armed forces, proposed) backed by an incident in Mopti."""
    evidence = Incident.objects.create(
        date_start=D(2022, 4, 2), admin1_pcode="ML05", admin1_name="Mopti", admin2_name="Djenné"
    )
    adviser = create_recommendation(
        RecommendationInput(
            title="Adviser post at the Ministry of Defence",
            addressee="government",
            addressee_detail="Ministry of Defence",
            made_on=D(2022, 3, 15),
            figures=[("Incidents, Mopti 2022", "37")],
        ),
        actor="seed",
    )
    record_status(adviser, "accepted", D(2022, 9, 1), actor="seed", note="Agreed in principle")
    directive = create_recommendation(
        RecommendationInput(
            title="Checkpoint conduct directive",
            addressee="armed_forces",
            made_on=D(2023, 2, 14),
            incidents=[evidence],
        ),
        actor="seed",
    )
    return {"adviser": adviser, "directive": directive, "incident": evidence}


def form_data(**changes: str) -> dict[str, str]:
    return {
        "title": "National assistance programme",
        "text": "Care, psychosocial support and compensation for losses.",
        "addressee": "government",
        "addressee_detail": "Ministry of Social Development",
        "made_on": "2022-11-10",
        "incidents": "",
        "figures": "Civilians killed, Mopti 2022: 120\n",
        **changes,
    }


def test_the_list_shows_counts_per_status_and_filters(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    client = client_for("trainer")
    html = client.get(reverse("web:recommendations")).content.decode()
    assert "Adviser post at the Ministry of Defence" in html and "Checkpoint conduct" in html
    assert 'id="count-accepted">1<' in html and 'id="count-proposed">1<' in html
    assert 'id="count-all">2<' in html and 'id="count-rejected">0<' in html
    assert "New recommendation" not in html  # a trainer reads, does not change

    by_status = client.get(reverse("web:recommendations"), {"status": "accepted"})
    assert "Adviser post" in by_status.content.decode()
    assert "Checkpoint conduct" not in by_status.content.decode()
    by_addressee = client.get(reverse("web:recommendations"), {"addressee": "armed_forces"})
    page = by_addressee.content.decode()
    assert "Checkpoint conduct" in page and "Adviser post" not in page
    assert 'id="count-all">1<' in page  # counts follow the addressee filter


def test_the_detail_shows_history_and_evidence(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    adviser, directive, evidence = tracker["adviser"], tracker["directive"], tracker["incident"]
    html = (
        client_for("analyst").get(reverse("web:recommendation", args=[adviser.pk])).content.decode()
    )
    assert 'id="current-status">accepted<' in html
    assert html.index("proposed") < html.index("Agreed in principle")
    assert "Incidents, Mopti 2022" in html and "37" in html
    assert "Record a status change" in html
    directive_page = client_for("trainer").get(reverse("web:recommendation", args=[directive.pk]))
    page = directive_page.content.decode()
    assert f'href="{reverse("web:incident", args=[evidence.pk])}">{evidence.code}</a>' in page
    assert "Djenné" in page
    assert "Record a status change" not in page


def test_creating_a_recommendation_from_the_form(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    evidence = tracker["incident"]
    client = client_for("advocacy_officer")
    assert client.get(reverse("web:recommendation_new")).status_code == 200
    response = client.post(
        reverse("web:recommendation_new"), form_data(incidents=f" {evidence.code} ")
    )
    made = Recommendation.objects.get(title="National assistance programme")
    assert response.status_code == 302 and response["Location"] == reverse(
        "web:recommendation", args=[made.pk]
    )
    assert made.created_by == "advocacy_officer-user"
    assert list(made.incidents.all()) == [evidence]
    assert list(made.figures.values_list("label", "value")) == [
        ("Civilians killed, Mopti 2022", "120")
    ]
    assert made.current_status().status == "proposed"  # type: ignore[union-attr]
    entry = AuditEntry.objects.get(action="create", object_type="recommendation", object_id=made.pk)
    assert entry.actor == "advocacy_officer-user"


def test_an_unknown_incident_code_is_named_and_nothing_is_saved(
    client_for: ClientFor, tracker
) -> None:  # type: ignore[no-untyped-def]
    evidence = tracker["incident"]
    response = client_for("analyst").post(
        reverse("web:recommendation_new"), form_data(incidents=f"{evidence.code}, INC-424242")
    )
    assert response.status_code == 200
    assert "No incident has the code INC-424242." in response.content.decode()
    assert not Recommendation.objects.filter(title="National assistance programme").exists()


def test_editing_changes_fields_and_evidence_and_is_audited(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    adviser, evidence = tracker["adviser"], tracker["incident"]
    client = client_for("analyst")
    url = reverse("web:recommendation_edit", args=[adviser.pk])
    form = client.get(url).content.decode()
    assert "Adviser post at the Ministry of Defence" in form and "Incidents, Mopti 2022: 37" in form
    changes = form_data(
        title="Adviser post (revised)",
        made_on="2022-03-15",
        incidents=evidence.code,
        figures="Incidents, Mopti 2022: 37",
    )
    assert client.post(url, changes).status_code == 302
    adviser.refresh_from_db()
    assert adviser.title == "Adviser post (revised)" and list(adviser.incidents.all()) == [evidence]
    entry = AuditEntry.objects.get(action="edit", object_id=adviser.pk)
    assert "title" in entry.fields and "evidence" in entry.fields
    assert entry.actor == "analyst-user"


def test_recording_a_status_change(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    adviser = tracker["adviser"]
    client = client_for("advocacy_officer")
    url = reverse("web:recommendation_status", args=[adviser.pk])
    assert client.get(url).status_code == 405  # POST only
    response = client.post(url, {"status": "implemented", "on": "2023-06-30", "note": "Appointed"})
    assert response.status_code == 302
    assert adviser.current_status().status == "implemented"  # type: ignore[union-attr]
    entry = AuditEntry.objects.get(action="status_change", actor="advocacy_officer-user")
    assert entry.details["status"] == "implemented" and entry.details["previous"] == "accepted"

    again = client.post(url, {"status": "implemented", "on": "2023-07-01"})
    assert again.status_code == 200 and "already implemented" in again.content.decode()
    assert adviser.status_history.count() == 3


def test_who_may_read_and_who_may_change(client_for: ClientFor, tracker) -> None:  # type: ignore[no-untyped-def]
    adviser = tracker["adviser"]
    pages = [
        reverse("web:recommendations"),
        reverse("web:recommendation", args=[adviser.pk]),
    ]
    changes = [
        reverse("web:recommendation_new"),
        reverse("web:recommendation_edit", args=[adviser.pk]),
    ]
    status_url = reverse("web:recommendation_status", args=[adviser.pk])
    trainer, partner = client_for("trainer"), client_for("partner")
    assert all(trainer.get(url).status_code == 200 for url in pages)
    assert all(trainer.get(url).status_code == 403 for url in changes)
    assert trainer.post(status_url, {"status": "rejected", "on": "2023-01-01"}).status_code == 403
    assert all(partner.get(url).status_code == 403 for url in pages + changes)
    assert partner.post(status_url, {"status": "rejected", "on": "2023-01-01"}).status_code == 403
    assert adviser.status_history.count() == 2
    assert Client().get(pages[0]).status_code == 302  # nobody logged in: to the log-in page
