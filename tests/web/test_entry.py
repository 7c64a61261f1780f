"""The report entry form and the place autocomplete, through the real views and database."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES, can
from civharm.core.place_suggestions import suggest_places
from civharm.incidents.models import HarmCount, Incident, Report
from civharm.incidents.services.importing import decode_payload
from civharm.web.entry.views import incident_url

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]

VALID = {
    "date": "14/03/2022",
    "date_precision": "",
    "place": "Niono",
    "admin2": "Niono",
    "admin1": "Ségou",
    "perpetrator": ["fama"],
    "context": "attack_on_village",
    "killed": "20-30",
    "injured": "environ 12",
    "description": "Village attaqué au petit matin (récit fictif de test).",
    "source_name": "Saisie web",
    "source_type": "interview",
    "language": "fr",
    "reliability": "B",
    "credibility": "2",
}


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _post(client: Client, **changes: object) -> object:
    return client.post(reverse("web:report_new"), {**VALID, **changes})


def test_unreadable_date_is_refused_next_to_the_field(client_for: ClientFor) -> None:
    response = _post(_english(client_for("field_researcher")), date="31/02/2022")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["date"]
    assert b"is not a date we can read" in response.content
    assert Report.objects.count() == 0


def test_negative_toll_is_refused(client_for: ClientFor) -> None:
    response = _post(_english(client_for("analyst")), killed="-3")
    assert list(response.context["form"].errors) == ["killed"]
    assert b"cannot be negative" in response.content
    assert Incident.objects.count() == 0


def test_unreadable_toll_and_reversed_range_are_refused(client_for: ClientFor) -> None:
    response = _post(client_for("analyst"), killed="beaucoup", injured="30-20")
    assert set(response.context["form"].errors) == {"killed", "injured"}


def test_future_date_half_coordinates_and_no_date_nor_place_are_refused(
    client_for: ClientFor,
) -> None:
    client = client_for("analyst")
    assert "date" in _post(client, date="01/01/2999").context["form"].errors
    assert "longitude" in _post(client, latitude="14.2").context["form"].errors
    empty = {"date": "", "place": "", "admin2": "", "admin1": ""}
    assert _post(client, **empty).context["form"].non_field_errors()


def test_saved_report_has_its_incident_counts_perpetrator_place_and_audit_entry(
    client_for: ClientFor,
) -> None:
    client = client_for("field_researcher")
    response = _post(client)
    report = Report.objects.get()
    incident = report.incident
    assert incident is not None
    assert response.status_code == 302 and response["Location"] == incident_url(incident.pk)
    assert report.source.name == "Saisie web" and report.source.source_type == "interview"
    assert (report.reliability, report.credibility) == ("B", "2")
    assert report.payload_encrypted and "Niono" not in report.payload
    assert decode_payload(report.payload, True)["killed"] == "20-30"
    killed = HarmCount.objects.get(incident=incident, harm_type="killed")
    assert (killed.low, killed.best, killed.high) == (20, None, 30)
    injured = HarmCount.objects.get(incident=incident, harm_type="injured")
    assert (injured.low, injured.best, injured.high) == (None, 12, None)
    assert list(incident.perpetrators.values_list("key", flat=True)) == ["fama"]
    assert incident.admin2_pcode == "ML0404" and incident.admin1_name == "Ségou"
    assert incident.latitude is not None and incident.interaction_context == "attack_on_village"
    entry = AuditEntry.objects.get(action="create", object_type="Report")
    assert entry.object_id == str(report.pk) and entry.actor == "field_researcher-user"
    assert "killed" in entry.fields and "20-30" not in json.dumps(entry.details)


def test_double_submit_files_one_report(client_for: ClientFor) -> None:
    client = client_for("analyst")
    first, second = _post(client), _post(client)
    assert Report.objects.count() == Incident.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_other_source_of_the_users_choosing(client_for: ClientFor) -> None:
    _post(client_for("analyst"), source_name="Radio locale", source_type="media")
    report = Report.objects.get()
    assert (report.source.name, report.source.source_type) == ("Radio locale", "media")


def test_gazetteer_suggests_segou_for_unaccented_text() -> None:
    names = [(place.kind, place.name) for place in suggest_places("segou")]
    assert ("admin1", "Ségou") in names and ("locality", "Ségou") in names


def test_place_autocomplete_returns_segou(client_for: ClientFor) -> None:
    response = client_for("field_researcher").get(reverse("web:place_suggest"), {"place": "segou"})
    assert response.status_code == 200 and "Ségou" in response.content.decode()
    assert b"pick=locality%3Ageonames%3A" in response.content


def test_choosing_a_suggestion_fills_the_place_fields(client_for: ClientFor) -> None:
    url = reverse("web:place_suggest")
    response = client_for("analyst").get(url, {"pick": "locality:geonames:2451478"})
    page = response.content.decode()
    assert 'name="place" value="Ségou"' in page and 'name="admin2" value="Ségou"' in page


def test_entry_form_page_renders_every_field(client_for: ClientFor) -> None:
    response = client_for("field_researcher").get(reverse("web:report_new"))
    page = response.content.decode()
    for name in ("date", "place", "admin2", "killed", "perpetrator", "reliability", "credibility"):
        assert f'name="{name}"' in page
    assert "<script>" not in page and "style=" not in page
    assert len(response.content) < 300_000


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", ["web:report_new", "web:place_suggest"])
def test_entry_urls_for_every_role(client_for: ClientFor, role: str, name: str) -> None:
    response = client_for(role).get(reverse(name), {"place": "gao"})
    assert response.status_code == (200 if can(role, "file_report") else 403)


@pytest.mark.parametrize("name", ["web:report_new", "web:place_suggest"])
def test_entry_urls_send_anonymous_users_to_log_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
