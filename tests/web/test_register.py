"""The incident register and incident page: filters, sort, pagination, live count, export,
detail with provenance, map boundaries, persons by role — on real imported files and rows."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from civharm.accounts.models import AuditEntry
from civharm.accounts.roles import ROLES
from civharm.incidents.models import (
    Actor,
    HarmCount,
    Incident,
    IncidentPerpetrator,
    Person,
    Report,
)
from civharm.incidents.services.importing import import_file
from civharm.incidents.services.merging import apply_clusters
from tests.incidents.factories import VICTIM_ROWS, write_acled, write_victims

pytestmark = pytest.mark.django_db
ClientFor = Callable[[str], Client]
NAMES = [part for row in VICTIM_ROWS for part in (row[1], row[2])]


@pytest.fixture
def register(tmp_path: Path) -> None:
    """Three ACLED events (Niono, Bandiagara, Ménaka) and an NGO victim list."""
    import_file(write_acled(tmp_path / "acled.csv"), "acled")
    import_file(write_victims(tmp_path / "ong.csv"), "victims", source_name="ONG test")


def make_incidents(count: int, **fields: object) -> list[Incident]:
    start = datetime.date(2020, 1, 1)
    incidents = Incident.objects.bulk_create(
        Incident(
            date_start=start + datetime.timedelta(days=i),
            date_precision="day",
            admin1_pcode="ML05",
            admin1_name="Mopti",
            **fields,
        )
        for i in range(count)
    )
    HarmCount.objects.bulk_create(
        HarmCount(incident=incident, harm_type="killed", low=i, best=i, high=i + 1)
        for i, incident in enumerate(incidents)
    )
    return incidents


def linked_person() -> Person:
    """A person of the imported victim list, linked to the Niono incident (as linkage would)."""
    person = Person.objects.order_by("id").first()
    assert person is not None
    person.incident = Incident.objects.get(admin2_name__icontains="Niono")
    person.save()
    return person


def codes(response: Any) -> list[str]:
    return [incident.code for incident in response.context["page"].object_list]


def test_register_lists_imported_incidents_with_their_count(
    register: None, client_for: ClientFor
) -> None:
    response = client_for("analyst").get(reverse("web:incidents"))
    assert response.status_code == 200
    assert response.context["count"] == 3
    assert b"Niono" in response.content and b"INC-" in response.content


def test_an_incident_merged_by_linkage_leaves_the_register_list(
    register: None, client_for: ClientFor
) -> None:
    events = Report.objects.filter(kind="event").order_by("id").values_list("id", flat=True)
    apply_clusters("incident", pd.DataFrame({"record_id": list(events)[:2], "cluster_id": 1}))
    merged = Incident.objects.exclude(merged_into=None).get()

    response = client_for("analyst").get(reverse("web:incidents"))

    assert response.context["count"] == 2
    assert merged.code.encode() not in response.content


def test_filters_narrow_the_set_and_the_count(register: None, client_for: ClientFor) -> None:
    client = client_for("analyst")
    url = reverse("web:incidents")
    assert client.get(url, {"region": "ML05"}).context["count"] == 1  # Mopti: Bandiagara
    assert client.get(url, {"date_from": "2022-04-01"}).context["count"] == 2
    assert (
        client.get(url, {"date_from": "2022-04-01", "date_to": "2022-12-31"}).context["count"] == 1
    )
    assert client.get(url, {"actor": "is_sahel"}).context["count"] == 1
    assert client.get(url, {"harm_type": "killed"}).context["count"] == 3
    assert client.get(url, {"status": "approved"}).context["count"] == 0
    assert client.get(url, {"grade": "none"}).context["count"] == 3


def test_source_filter_keeps_incidents_a_source_reported(
    register: None, client_for: ClientFor
) -> None:
    client = client_for("analyst")
    form = client.get(reverse("web:incidents")).context["form"]
    choices = dict(form.fields["source"].choices)
    acled = next(pk for pk, name in choices.items() if pk and "ONG" not in str(name))
    assert client.get(reverse("web:incidents"), {"source": acled}).context["count"] == 3


def test_an_unknown_filter_value_is_a_form_error_not_a_crash(client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:incidents"), {"region": "XX99"})
    assert response.status_code == 200
    assert response.context["form"].errors["region"]


def test_sort_by_killed_puts_the_deadliest_first(register: None, client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:incidents"), {"sort": "-killed"})
    killed = [i.killed_count.best for i in response.context["page"].object_list]
    assert killed == [30, 12, None]  # an unknown best estimate (ACLED, not targeting) last


def test_sort_by_date_both_ways(register: None, client_for: ClientFor) -> None:
    client = client_for("analyst")
    newest = codes(client.get(reverse("web:incidents")))
    oldest = codes(client.get(reverse("web:incidents"), {"sort": "date"}))
    assert newest == list(reversed(oldest))


def test_pagination_shows_fifty_a_page_and_keeps_the_filters(client_for: ClientFor) -> None:
    make_incidents(120)
    client = client_for("analyst")
    first = client.get(reverse("web:incidents"), {"region": "ML05"})
    assert len(first.context["page"].object_list) == 50 and first.context["count"] == 120
    assert b"region=ML05&amp;page=2" in first.content
    last = client.get(reverse("web:incidents"), {"region": "ML05", "page": 3})
    assert len(last.context["page"].object_list) == 20


def test_htmx_request_gets_only_the_results_fragment(client_for: ClientFor) -> None:
    make_incidents(3)
    response = client_for("analyst").get(
        reverse("web:incidents"), {"region": "ML05"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b'id="register-count"' in response.content


def test_register_page_works_as_a_plain_form_and_an_htmx_one(client_for: ClientFor) -> None:
    page = client_for("analyst").get(reverse("web:incidents")).content.decode()
    assert 'method="get"' in page and 'hx-get="/incidents/"' in page
    assert 'hx-target="#register-results"' in page and 'type="submit"' in page
    assert "<script>" not in page and "style=" not in page


def test_register_page_needs_a_fixed_number_of_queries(
    client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    incidents = make_incidents(60)
    actor = Actor.objects.get(key="fama")
    IncidentPerpetrator.objects.bulk_create(
        IncidentPerpetrator(incident=incident, actor=actor) for incident in incidents
    )
    client = client_for("analyst")
    client.get(reverse("web:incidents"))  # session and user warmed up
    with django_assert_max_num_queries(12):
        response = client.get(reverse("web:incidents"), {"sort": "-killed"})
    assert len(response.context["page"].object_list) == 50


def test_export_of_the_filtered_set_as_csv_is_audited(
    register: None, client_for: ClientFor
) -> None:
    response = client_for("analyst").get(
        reverse("web:incidents_export"), {"region": "ML05", "format": "csv"}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["admin1_pcode"] for row in rows] == ["ML05"]
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor == "analyst-user" and entry.details["rows"] == 1
    assert entry.details["filters"] == {"region": "ML05"}


def test_export_as_xlsx_has_every_filtered_row(register: None, client_for: ClientFor) -> None:
    response = client_for("administrator").get(
        reverse("web:incidents_export"), {"format": "xlsx", "date_from": "2022-04-01"}
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert sheet.max_row == 1 + 2


def test_export_refuses_an_unknown_format(client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:incidents_export"), {"format": "exe"})
    assert response.status_code == 400


def test_incident_page_shows_reports_with_provenance_and_figures(
    register: None, client_for: ClientFor
) -> None:
    incident = Incident.objects.get(admin2_name__icontains="Niono")
    response = client_for("analyst").get(reverse("web:incident", args=[incident.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "MLI90001" in page and "acled.csv" in page  # record id and import run file
    killed = next(row for row in response.context["harm_rows"] if row.key == "killed")
    assert killed.best == 12 and [figures for _r, figures in killed.reports] == [[12, 12, 12]]
    assert 'id="incident-map"' in page and "data-lat=" in page and "<script>" not in page


def test_incident_page_shows_persons_by_pseudonym_only(
    register: None, client_for: ClientFor
) -> None:
    person = linked_person()
    page = client_for("analyst").get(reverse("web:incident", args=[person.incident_id]))
    assert person.pseudonym in page.content.decode()
    assert not any(name in page.content.decode() for name in NAMES)


def test_trainer_sees_the_incident_but_not_its_persons(
    register: None, client_for: ClientFor
) -> None:
    person = linked_person()
    response = client_for("trainer").get(reverse("web:incident", args=[person.incident_id]))
    assert response.status_code == 200 and response.context["persons"] is None
    assert person.pseudonym not in response.content.decode()


def test_a_missing_incident_is_404(client_for: ClientFor) -> None:
    assert client_for("analyst").get(reverse("web:incident", args=[999999])).status_code == 404


def test_boundaries_are_light_geojson_of_the_cercles(client_for: ClientFor) -> None:
    response = client_for("partner").get(reverse("web:boundaries", args=[2]))
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    assert len(response.content) < 300_000
    assert response.json()["features"][0]["properties"]["adm2_pcode"].startswith("ML")


EXPECTED = {
    "web:incidents": {"partner": 403},
    "web:incident": {"partner": 403},
    "web:incidents_export": {
        role: 403 for role in ROLES if role not in ("administrator", "analyst")
    },
    "web:boundaries": {},
}


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_role_gets_what_its_capabilities_allow(
    client_for: ClientFor, role: str, name: str
) -> None:
    incident = make_incidents(1)[0]
    args = {"web:incident": [incident.pk], "web:boundaries": [2]}.get(name, [])
    response = client_for(role).get(reverse(name, args=args))
    assert response.status_code == EXPECTED[name].get(role, 200)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_anonymous_visitors_are_sent_to_log_in(client: Client, name: str) -> None:
    args = {"web:incident": [1], "web:boundaries": [2]}.get(name, [])
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_incident_history_includes_the_import_that_brought_its_reports(
    register: None, client_for: ClientFor
) -> None:
    incident = Incident.objects.get(admin2_name__icontains="Niono")
    response = client_for("analyst").get(reverse("web:incident", args=[incident.pk]))
    actions = [(entry.action, entry.object_type) for entry in response.context["history"]]
    assert ("import", "ImportRun") in actions


def test_incident_page_needs_a_fixed_number_of_queries(
    register: None, client_for: ClientFor, django_assert_max_num_queries: Any
) -> None:
    incident = Incident.objects.get(admin2_name__icontains="Niono")
    linked_person()
    client = client_for("analyst")
    client.get(reverse("web:incident", args=[incident.pk]))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("web:incident", args=[incident.pk])).status_code == 200
