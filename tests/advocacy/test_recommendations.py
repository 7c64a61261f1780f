"""The recommendations tracker's services: evidence by incident code, append-only status history
(current = latest), audit entries, the brief's selection by region and period, the demo seed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation

from civharm.accounts.audit import verify_chain
from civharm.accounts.models import AuditEntry
from civharm.advocacy.demo import DEMO_RECOMMENDATIONS, seed_demo_recommendations
from civharm.advocacy.models import Recommendation, RecommendationStatus
from civharm.advocacy.recommendations import (
    RecommendationError,
    RecommendationInput,
    create_recommendation,
    incidents_from_codes,
    recommendations_for_brief,
    record_status,
    status_counts,
    update_recommendation,
)
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages asserted in English; the French labels have a test of their own below."""
    with translation.override("en"):
        yield


def incident(region: str = "ML05", name: str = "Mopti", **fields: object) -> Incident:
    fields = {"date_start": D(2022, 4, 2), **fields}
    return Incident.objects.create(admin1_pcode=region, admin1_name=name, **fields)


def recommendation(title: str = "Poste de conseiller", **fields: object) -> Recommendation:
    data = RecommendationInput(
        **{"title": title, "addressee": "government", "made_on": D(2022, 3, 15), **fields}  # type: ignore[arg-type]
    )
    return create_recommendation(data, actor="advocacy-user")


def test_incident_codes_resolve_and_unknown_ones_are_named() -> None:
    first, second = incident(), incident()
    text = f"{first.code}, inc-{second.pk}; {first.code}"
    assert incidents_from_codes(text) == [first, second]  # duplicates once, in the order given
    assert incidents_from_codes("  ") == []
    with pytest.raises(RecommendationError, match="INC-999999"):
        incidents_from_codes(f"{first.code}, INC-999999")
    with pytest.raises(RecommendationError, match="Mopti-12"):
        incidents_from_codes("Mopti-12")


def test_creating_records_proposed_evidence_and_an_audit_entry() -> None:
    evidence = incident()
    made = recommendation(incidents=[evidence], figures=[("Incidents, Mopti 2022", "37")])
    assert [s.status for s in made.status_history.all()] == ["proposed"]
    assert made.current_status().on == D(2022, 3, 15)  # type: ignore[union-attr]
    assert list(made.incidents.all()) == [evidence]
    assert list(made.figures.values_list("label", "value")) == [("Incidents, Mopti 2022", "37")]
    entry = AuditEntry.objects.get(action="create", object_type="recommendation")
    assert entry.object_id == str(made.pk) and entry.actor == "advocacy-user"
    assert entry.details["incidents"] == [evidence.code]
    assert verify_chain().ok


def test_status_history_is_appended_and_the_latest_date_is_current() -> None:
    made = recommendation()
    record_status(made, "accepted", D(2022, 9, 1), actor="a", note="accord de principe")
    record_status(made, "implemented", D(2023, 6, 30), actor="a")
    # Recorded later but dated earlier: history, not the current status.
    record_status(made, "rejected", D(2022, 5, 1), actor="a")
    history = list(made.status_history.values_list("status", flat=True))
    assert history == ["proposed", "rejected", "accepted", "implemented"]
    assert made.current_status().status == "implemented"  # type: ignore[union-attr]
    assert RecommendationStatus.objects.filter(recommendation=made).count() == 4
    changes = AuditEntry.objects.filter(action="status_change", object_id=str(made.pk))
    assert changes.count() == 3
    assert changes.first().details == {
        "status": "accepted",
        "on": "2022-09-01",
        "previous": "proposed",
    }  # type: ignore[union-attr]


def test_impossible_status_changes_are_refused() -> None:
    made = recommendation()
    with pytest.raises(RecommendationError, match="already"):
        record_status(made, "proposed", D(2022, 4, 1), actor="a")
    with pytest.raises(RecommendationError, match="before the recommendation was made"):
        record_status(made, "accepted", D(2022, 1, 1), actor="a")
    with pytest.raises(RecommendationError, match="future"):
        record_status(
            made, "accepted", datetime.date.today() + datetime.timedelta(days=2), actor="a"
        )
    assert made.status_history.count() == 1
    assert not AuditEntry.objects.filter(action="status_change").exists()


def test_an_edit_names_what_changed_and_is_audited_only_when_something_did() -> None:
    made = recommendation()
    evidence = incident()
    same = RecommendationInput(title=made.title, addressee="government", made_on=made.made_on)
    assert update_recommendation(made, same, actor="a") == []
    changed = RecommendationInput(
        title="Poste de conseiller (révisé)",
        addressee="armed_forces",
        made_on=made.made_on,
        incidents=[evidence],
    )
    assert update_recommendation(made, changed, actor="b") == ["title", "addressee", "evidence"]
    made.refresh_from_db()
    assert made.title.endswith("(révisé)") and list(made.incidents.all()) == [evidence]
    (entry,) = AuditEntry.objects.filter(action="edit")
    assert entry.actor == "b" and entry.fields == ["addressee", "evidence", "title"]


def test_status_counts_follow_the_current_status() -> None:
    accepted = recommendation("A")
    record_status(accepted, "accepted", D(2022, 4, 1), actor="a")
    recommendation("B")
    recommendation("C")
    counts = {key: n for key, _label, n in status_counts(Recommendation.objects.all())}
    assert counts == {"proposed": 2, "accepted": 1, "implemented": 0, "rejected": 0}


def test_a_brief_gets_the_region_s_and_country_wide_recommendations_made_by_its_end() -> None:
    in_mopti, in_gao = incident(), incident("ML07", "Gao")
    mopti = recommendation("Mopti", incidents=[in_mopti, in_gao])
    record_status(mopti, "accepted", D(2022, 9, 1), actor="a", note="oui")
    recommendation("Gao only", incidents=[in_gao])
    recommendation("Country-wide", made_on=D(2021, 1, 5))
    recommendation("Too late", made_on=D(2023, 2, 1))

    rows = recommendations_for_brief("ML05", D(2022, 1, 1), D(2022, 12, 31))
    assert [r["title"] for r in rows] == ["Country-wide", "Mopti"]
    mopti_row = rows[1]
    assert mopti_row["status"] == "accepted" and mopti_row["status_on"] == D(2022, 9, 1)
    assert [h["status"] for h in mopti_row["history"]] == ["proposed", "accepted"]
    assert mopti_row["history"][1]["note"] == "oui"
    assert mopti_row["incident_codes"] == [in_mopti.code, in_gao.code]
    assert rows[0]["country_wide"] and not mopti_row["country_wide"]
    assert [r["title"] for r in recommendations_for_brief("Gao", None, None)] == [
        "Country-wide",
        "Mopti",
        "Gao only",
        "Too late",
    ]
    with translation.override("fr"):
        french = recommendations_for_brief("ML05", D(2022, 1, 1), D(2022, 12, 31))
    assert french[1]["addressee_label"] == "gouvernement"
    assert french[1]["status_label"] == "acceptée"


def test_the_demo_seed_is_idempotent_and_links_evidence_known_at_the_time() -> None:
    fama = Actor.objects.filter(category="state_forces").first()  # synchronised from the pack
    by_fama = [incident(date_start=D(2021, month, 1)) for month in (2, 5, 9)]
    for made in by_fama:
        IncidentPerpetrator.objects.create(incident=made, actor=fama)
    killed = incident(date_start=D(2021, 6, 1), admin2_pcode="ML0506")
    HarmCount.objects.create(incident=killed, harm_type="killed", best=3)
    later = incident(date_start=D(2024, 1, 1))
    incident("ML07", "Gao", date_start=D(2021, 1, 1))

    assert seed_demo_recommendations() == len(DEMO_RECOMMENDATIONS)
    assert seed_demo_recommendations() == 0
    assert Recommendation.objects.count() == len(DEMO_RECOMMENDATIONS)
    adviser = Recommendation.objects.get(title__startswith="Créer un poste de conseiller")
    assert [s.status for s in adviser.status_history.all()] == [
        "proposed",
        "accepted",
        "implemented",
    ]
    assert set(adviser.incidents.all()) == set(by_fama)  # made in 2022: the 2021 incidents
    ((label, value),) = adviser.figures.values_list("label", "value")
    assert "01/01/2021 – 15/03/2022" in label and value == "3"
    assistance = Recommendation.objects.get(title__contains="programme national d'assistance")
    assert list(assistance.incidents.all()) == [killed]
    for made in Recommendation.objects.all():
        assert later not in made.incidents.all(), made.title
        assert {i.admin1_pcode for i in made.incidents.all()} == {"ML05"}, made.title
    statuses = {r.current_status().status for r in Recommendation.objects.all()}  # type: ignore[union-attr]
    assert statuses == {"proposed", "accepted", "implemented", "rejected"}
    assert AuditEntry.objects.filter(object_type="recommendation", actor="demo").exists()
