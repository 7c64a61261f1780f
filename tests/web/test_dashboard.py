"""The dashboard on a small generated register: exact figures for staff, one disclosure-
controlled release for partners (page, map data and CSV alike), and the Overview page."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from civharm.accounts.models import AuditEntry
from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.analysis.published import partner_release, published_value
from civharm.analysis.snapshot import forget_register_snapshot
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator
from civharm.web.dashboard.tables import RELEASE_DIMENSION

ClientFor = Callable[[str], Client]
MOPTI, SEGOU, GAO = ("ML05", "Mopti"), ("ML04", "Ségou"), ("ML07", "Gao")
BANDIAGARA, BANKASS = ("ML0501", "Bandiagara"), ("ML0502", "Bankass")
NIONO, ANSONGO = ("ML0404", "Niono"), ("ML0701", "Ansongo")
# (region, cercle, month, actor, context, killed, injured, incidents, grade)
REGISTER = [
    (MOPTI, BANDIAGARA, 3, "fama", "ground_operation", 3, 0, 8, "confirmed"),
    (SEGOU, NIONO, 4, "jnim", "attack_on_village", 2, 1, 6, "fair"),
    (GAO, ANSONGO, 4, "fama", "checkpoint", 1, 0, 2, "fair"),
    (MOPTI, BANKASS, 5, "fama", "patrol", 1, 0, 6, "weak"),
    (GAO, ANSONGO, 5, "jnim", "ambush", 9, 0, 1, "discounted"),  # never counted by default
]


@pytest.fixture(autouse=True)
def _fresh_snapshot(settings: Any) -> Iterator[None]:
    """Each test reads its own register: the process's DuckDB copy is rebuilt per test."""
    settings.CIVHARM = {
        **settings.CIVHARM,
        "ANALYSIS_REFRESH_SECONDS": 0,
        "SMALL_CELL_THRESHOLD": 5,
    }
    forget_register_snapshot()
    yield
    forget_register_snapshot()


def _actor(key: str) -> Actor:
    category = {"fama": "state_forces", "jnim": "veo"}[key]
    actor, _created = Actor.objects.get_or_create(
        key=key, defaults={"category": category, "name_fr": key.upper(), "name_en": key.upper()}
    )
    return actor


def build_register(rows: list[tuple[Any, ...]] = REGISTER) -> None:
    """22 counted incidents in three regions (Gao's 2 are a small cell), and one discounted."""
    for region, cercle, month, actor, context, killed, injured, count, grade in rows:
        incidents = Incident.objects.bulk_create(
            Incident(
                date_start=datetime.date(2022, month, 1 + day),
                date_precision="day",
                admin1_pcode=region[0],
                admin1_name=region[1],
                admin2_pcode=cercle[0],
                admin2_name=cercle[1],
                interaction_context=context,
                assessment_grade=grade,
            )
            for day in range(count)
        )
        IncidentPerpetrator.objects.bulk_create(
            IncidentPerpetrator(incident=incident, actor=_actor(actor)) for incident in incidents
        )
        harms = [("killed", killed), ("injured", injured)]
        HarmCount.objects.bulk_create(
            HarmCount(incident=incident, harm_type=harm, low=n, best=n, high=n + 1)
            for incident in incidents
            for harm, n in harms
            if n
        )


@pytest.fixture
def register(db: None) -> None:
    build_register()


def rows_of(response: Any, table: str) -> dict[str, Any]:
    return {row.key: row for row in response.context["figures"].tables[table]}


def test_analysts_see_exact_figures_by_month_place_actor_and_context(
    register: None, client_for: ClientFor
) -> None:
    response = client_for("analyst").get(reverse("web:dashboard"))
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.incidents, total.people) == (22, 8 * 3 + 6 * 2 + 2 * 1 + 6 * 1)
    regions = rows_of(response, "by_region")
    assert regions["ML07"].incidents == 2 and regions["ML07"].label == "Gao"
    assert rows_of(response, "by_month")["2022-04"].incidents == 8
    assert rows_of(response, "by_actor")["fama"].people == 32
    assert rows_of(response, "by_context")["checkpoint"].label == "Checkpoint"
    assert rows_of(response, "by_harm_type")["injured"].people == 6
    page = response.content.decode()
    assert "withheld" not in page.lower()
    assert page.count("<svg") >= 5  # month, region, actor, harm type, context


def test_partners_get_one_controlled_release_with_nothing_recoverable(
    register: None, client_for: ClientFor
) -> None:
    response = client_for("partner").get(reverse("web:dashboard"))
    assert response.status_code == 200
    regions = rows_of(response, "by_region")
    assert regions["ML07"].incidents is None and regions["ML07"].people is None
    total = response.context["total"]
    others = [row.incidents for key, row in regions.items() if key != "ML07"]
    # Gao cannot be worked out as the total minus the other regions.
    assert total.incidents is None or None in others
    page = response.content.decode()
    assert 'id="disclosure-note"' in page and 'class="withheld"' in page  # drawn in a chart
    assert 'href="/incidents/' not in page and "INC-" not in page
    shown = [
        value
        for table in response.context["figures"].tables.values()
        for row in table
        for value in (row.incidents, row.people)
        if value is not None
    ]
    assert not any(0 < value < 5 for value in shown)


def test_the_map_data_marks_withheld_cercles_for_partners_only(
    register: None, client_for: ClientFor
) -> None:
    def map_data(role: str) -> dict[str, Any]:
        page = client_for(role).get(reverse("web:dashboard")).content.decode()
        found = re.search(
            r'<script id="choropleth-data" type="application/json">(.*?)</script>', page
        )
        assert found, "no map data"
        return json.loads(found.group(1))

    partner, analyst = map_data("partner"), map_data("analyst")
    assert partner["ML0701"]["class"] == "withheld" and "—" in partner["ML0701"]["text"]
    assert analyst["ML0701"]["class"] not in {"withheld", "0"}
    assert analyst["ML0501"]["class"] != "withheld"


def test_filters_select_a_region_and_a_period(register: None, client_for: ClientFor) -> None:
    client = client_for("analyst")
    mopti = client.get(reverse("web:dashboard"), {"region": "ML05"})
    assert set(rows_of(mopti, "by_region")) == {"ML05"}
    april = client.get(reverse("web:dashboard"), {"date_from": "2022-04", "date_to": "2022-04"})
    assert april.context["total"].incidents == 8
    state = client.get(reverse("web:dashboard"), {"actor": "category:state_forces"})
    assert state.context["total"].incidents == 16
    broken = client.get(reverse("web:dashboard"), {"date_from": "2022-13"})
    assert broken.status_code == 200 and broken.context["filters_invalid"]


def _csv(client: Client, chart: str, **params: str) -> list[dict[str, str]]:
    response = client.get(reverse("web:dashboard_csv", args=[chart]), params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_downloads_follow_the_filters_and_the_reader(
    register: None, client_for: ClientFor
) -> None:
    analyst_client = client_for("analyst")
    analyst = {row["key"]: row for row in _csv(analyst_client, "by_region")}
    assert analyst["ML07"]["incidents"] == "2" and analyst["ML07"]["killed_high"] == "4"
    partner = {row["key"]: row for row in _csv(client_for("partner"), "by_region")}
    assert partner["ML07"]["incidents"] == "" and partner["ML07"]["note"]
    assert "killed_high" not in partner["ML07"]
    filtered = _csv(analyst_client, "by_month", region="ML04")
    assert [(row["key"], row["incidents"]) for row in filtered] == [("2022-04", "6")]
    months = [row["key"] for row in _csv(analyst_client, "by_month", region="ML05")]
    assert months == ["2022-03", "2022-04", "2022-05"]  # April is there, as zero
    assert analyst_client.get("/dashboard/nonsense.csv").status_code == 404


def _estimate_run() -> None:
    run = EstimateRun.objects.create(
        started_by="test", status="complete", by=["region"], methods=["loglinear"], documented=63
    )
    for key, documented, total in (("Mopti", 40, 61.0), ("Gao", 3, 5.0), ("Ségou", 20, 30.0)):
        StratumEstimate.objects.create(
            run=run, key=[key], method="loglinear", documented=documented,
            total=total, low=total * 0.8, high=total * 1.4, model="[AB][C]",
        )  # fmt: skip
    StratumEstimate.objects.create(
        run=run, key=[], is_total=True, method="loglinear", documented=63,
        total=96.0, low=80.0, high=130.0, model="sum",
    )  # fmt: skip


def test_estimates_show_to_partners_only_where_documented_counts_pass(
    register: None, client_for: ClientFor
) -> None:
    _estimate_run()
    partner_client = client_for("partner")
    partner = partner_client.get(reverse("web:dashboard")).context["estimates"]
    by_stratum = {f["stratum"]: f for f in partner.figures}
    assert by_stratum["Gao"]["documented"] is None and by_stratum["Gao"]["total_text"] == "—"
    others = [by_stratum["Mopti"]["documented"], by_stratum["Ségou"]["documented"]]
    assert by_stratum["total"]["documented"] is None or None in others
    assert all(not f["model"] for f in partner.figures)
    analyst = client_for("analyst").get(reverse("web:dashboard")).context["estimates"]
    assert {f["stratum"]: f["documented"] for f in analyst.figures}["Gao"] == 3
    rows = _csv(partner_client, "estimates")
    assert {row["stratum"]: row["documented"] for row in rows}["Gao"] == ""


def test_the_overview_counts_live_counted_incidents_and_partners_read_the_release(
    register: None, client_for: ClientFor
) -> None:
    survivor = Incident.objects.filter(admin1_pcode="ML07").first()
    Incident.objects.filter(pk=_copy_incident(survivor)).update(merged_into=survivor)
    analyst = client_for("analyst").get(reverse("web:home")).context
    # Gao: 2 counted; the discounted and the merged incidents are not (as on the dashboard).
    assert {row["admin1_pcode"]: row["incidents"] for row in analyst["by_region"]}["ML07"] == 2
    assert (analyst["incidents"], analyst["killed_best"]) == (22, 44)
    partner = client_for("partner").get(reverse("web:home")).context
    release = partner_release()
    regions = {row["admin1_pcode"]: row["incidents"] for row in partner["by_region"]}
    assert regions["ML07"] == "—"
    for pcode, shown in regions.items():
        assert shown == _mark(published_value(release, "incidents", "region", pcode))
    assert partner["incidents"] == _mark(published_value(release, "incidents"))
    assert partner["killed_best"] == _mark(published_value(release, "killed"))
    assert partner["reports"] is None  # not part of the release


def _copy_incident(incident: Incident) -> int:
    copy = Incident.objects.create(
        date_start=incident.date_start, admin1_pcode="ML07", admin1_name="Gao",
        admin2_pcode="ML0701", admin2_name="Ansongo", assessment_grade="fair",
    )  # fmt: skip
    HarmCount.objects.create(incident=copy, harm_type="killed", low=7, best=7, high=7)
    return copy.pk


def _mark(value: int | None) -> int | str:
    return "—" if value is None else value


def test_an_empty_selection_shows_zeros_to_staff(register: None, client_for: ClientFor) -> None:
    response = client_for("analyst").get(reverse("web:dashboard"), {"date_from": "2030-01"})
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.incidents, total.people) == (0, 0)


# -- partners: one published release ---------------------------------------------------------


def test_partners_get_no_filters_and_filters_change_nothing(
    register: None, client_for: ClientFor
) -> None:
    client = client_for("partner")
    plain = client.get(reverse("web:dashboard"))
    page = plain.content.decode()
    assert 'class="dashboard-filters"' not in page and 'id="partner-note"' in page
    assert "subtracted" in plain.context["partner_note"]
    for params in ({"region": "ML05"}, {"date_from": "2022-04", "date_to": "2022-04"},
                   {"grade": "discounted"}):  # fmt: skip
        filtered = client.get(reverse("web:dashboard"), params)
        assert filtered.context["figures"] == plain.context["figures"]
        csv_rows = _csv(client, "by_region", **params)
        assert csv_rows == _csv(client, "by_region")


def test_every_figure_a_partner_sees_is_a_cell_of_the_one_release(
    register: None, client_for: ClientFor
) -> None:
    _estimate_run()
    client = client_for("partner")
    response = client.get(reverse("web:dashboard"))
    release = partner_release()
    figures = response.context["figures"]
    assert response.context["total"].incidents == published_value(release, "incidents")
    assert response.context["total"].people == published_value(release, "killed")
    for table, dimension in RELEASE_DIMENSION.items():
        for row in figures.tables[table]:
            assert row.incidents == published_value(release, "incidents", dimension, row.key)
            assert row.people == published_value(release, "killed", dimension, row.key)
            shown = {r["key"]: r for r in _csv(client, table)}[row.key]
            assert shown["incidents"] == _text(row.incidents)
            assert shown["killed_best"] == _text(row.people)
    harm_totals = {row.key: row.people for row in figures.tables["by_harm_type"]}
    assert harm_totals == {
        harm: published_value(release, harm) for harm in ("abducted", "injured", "killed")
    }
    assert {r["key"]: r["people_best"] for r in _csv(client, "by_harm_type")} == {
        harm: _text(value) for harm, value in harm_totals.items()
    }
    estimates = {f["stratum"]: f["documented"] for f in response.context["estimates"].figures}
    for name, pcode in (("Mopti", "ML05"), ("Gao", "ML07"), ("Ségou", "ML04")):
        assert estimates[name] == published_value(release, "documented", "region", pcode)
    assert estimates["total"] == published_value(release, "documented")


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def test_partners_see_actor_sets_as_one_partition(register: None, client_for: ClientFor) -> None:
    incident = Incident.objects.filter(admin1_pcode="ML05").first()
    IncidentPerpetrator.objects.create(incident=incident, actor=_actor("jnim"))
    actors = rows_of(client_for("partner").get(reverse("web:dashboard")), "by_actor")
    assert set(actors) == {"fama", "jnim", "fama+jnim"}
    assert actors["fama+jnim"].label == f"{actors['fama'].label} + {actors['jnim'].label}"
    assert actors["fama+jnim"].incidents is None  # one incident: withheld


def test_every_dashboard_download_is_audited(register: None, client_for: ClientFor) -> None:
    _estimate_run()
    partner = client_for("partner")
    _csv(client_for("analyst"), "by_region", region="ML05")
    _csv(partner, "by_month")
    _csv(partner, "estimates")
    entries = AuditEntry.objects.filter(action="export", object_type="dashboard").order_by("id")
    details = [entry.details for entry in entries]
    assert [(d["chart"], d["filters"], d["controlled"]) for d in details] == [
        ("by_region", "region=ML05", False),
        ("by_month", "", True),
        ("estimates", "", True),
    ]
    assert [entry.actor for entry in entries] == ["analyst-user", "partner-user", "partner-user"]
