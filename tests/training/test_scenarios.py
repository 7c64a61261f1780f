"""Scenario bank: a case study built from a small generated register quotes only figures that
passed disclosure control and the minimum-contributors rule, never a person, an incident code
or a village, and a period overlapping another scenario's without being identical is refused."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from civharm.accounts.models import AuditEntry
from civharm.analysis.snapshot import forget_register_snapshot
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator
from civharm.training.errors import TrainingError
from civharm.training.models import ModuleVersion, Scenario, TrainingModule
from civharm.training.scenarios import build_scenario

pytestmark = pytest.mark.django_db
K = 5
VILLAGE = "Kalabougou-Généré"
CERCLES = {"ML0404": "Niono", "ML0403": "Macina", "ML0406": "Ségou"}


@pytest.fixture(autouse=True)
def in_english() -> object:
    """Texts are asserted in English unless a test asks for another language."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> Iterator[None]:
    settings.CIVHARM = {
        **settings.CIVHARM,
        "ANALYSIS_REFRESH_SECONDS": 0,
        "SMALL_CELL_THRESHOLD": K,
    }
    forget_register_snapshot()
    yield
    forget_register_snapshot()


def _actor(key: str, category: str) -> Actor:
    return Actor.objects.get_or_create(
        key=key, defaults={"category": category, "name_fr": key, "name_en": key}
    )[0]


def _incident(
    cercle: str,
    month: int,
    actors: list[Actor],
    context: str = "checkpoint",
    year: int = 2023,
    **harm: int,
) -> Incident:
    incident = Incident.objects.create(
        date_start=datetime.date(year, month, 3 + month), admin1_pcode=cercle[:4],
        admin1_name="Ségou", admin2_pcode=cercle, admin2_name=CERCLES.get(cercle, ""),
        place_name=VILLAGE, interaction_context=context, assessment_grade="fair",
    )  # fmt: skip
    for actor in actors:
        IncidentPerpetrator.objects.create(incident=incident, actor=actor)
    for harm_type, best in harm.items():
        HarmCount.objects.create(
            incident=incident, harm_type=harm_type, low=best, best=best, high=best
        )
    return incident


@pytest.fixture
def register() -> list[Incident]:
    """Ségou 2023, checkpoints: Niono 12 and Macina 9 FAMa incidents (1 killed, 2 detained
    each), Ségou cercle 2 (a small cell: 3 injured), 1 with FAMa and the gendarmerie; plus
    incidents that must not count (JNIM, another context, another year, discounted)."""
    fama, gendarmerie = _actor("fama", "state_forces"), _actor("gendarmerie", "state_forces")
    jnim = _actor("jnim", "veo")
    made = [
        _incident("ML0404", 1 + n % 12, [fama], killed=1, arbitrary_detention=2) for n in range(12)
    ]
    made += [
        _incident("ML0403", 1 + n % 6, [fama], killed=1, arbitrary_detention=2) for n in range(9)
    ]
    made += [_incident("ML0406", 5, [fama], injured=3) for _ in range(2)]
    made.append(_incident("ML0404", 7, [fama, gendarmerie], killed=2))
    made.append(_incident("ML0404", 7, [jnim], killed=40))
    made.append(_incident("ML0404", 7, [fama], context="patrol", killed=30))
    discounted = _incident("ML0404", 7, [fama], killed=50)
    Incident.objects.filter(pk=discounted.pk).update(assessment_grade="discounted")
    return made


@pytest.fixture
def module() -> TrainingModule:
    module = TrainingModule.objects.create(
        key="checkpoints", title_fr="Postes de contrôle", title_en="Checkpoints"
    )
    ModuleVersion.objects.create(
        module=module, version=1, created_by="trainer-user",
        objectives="Conduire un contrôle sans exposer les civils\nSignaler un dommage civil",
    )  # fmt: skip
    return module


def _shown_values(figures: dict[str, Any]) -> set[int]:
    return {
        cell["value"]
        for cells in figures["tables"].values()
        for cell in cells
        if cell["value"] is not None
    }


def _check_numbers(text: str, figures: dict[str, Any]) -> None:
    allowed = _shown_values(figures) | {2023, K}
    for number in map(int, re.findall(r"\d+", text)):
        assert number in allowed, f"{number} is not a shown figure: {text}"
        assert not 1 <= number < K or number in _shown_values(figures)
    assert not any(1 <= value < K for value in _shown_values(figures))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_scenario_quotes_only_shown_figures_and_no_person_code_or_village(
    register: list[Incident], module: TrainingModule, language: str
) -> None:
    with translation.override(language):
        scenario = build_scenario(module, "ML04", 2023, 2023, "checkpoint", actor="trainer-user")
    text, figures = scenario.text, scenario.figures
    _check_numbers(text, figures)
    key = {tuple(c["key"]): c["value"] for c in figures["tables"]["key"]}
    assert key[("incidents",)] == 24  # FAMa (and FAMa + gendarmerie) checkpoints, counted
    assert key[("killed",)] == 23
    assert key[("arbitrary_detention",)] == 42
    assert key[("injured",)] is None  # 6 people, but from only 2 incidents
    cercle = {tuple(c["key"]): c["value"] for c in figures["tables"]["cercle"]}
    assert cercle[("incidents", "ML0406")] is None  # 2 incidents: withheld
    assert "—" in text and "Niono" in text
    assert "- Ségou:" not in text  # a withheld row is not listed by name
    assert scenario.period_from == datetime.date(2023, 1, 1)
    assert scenario.period_to == datetime.date(2023, 12, 31)
    assert scenario.actor_category == "state_forces"
    assert VILLAGE not in text and "INC-" not in text
    assert not any(incident.code in text for incident in register)
    assert "Conduire un contrôle sans exposer les civils" in text
    assert re.search(r"\b\d{1,2}/\d{1,2}|\b\d{4}-\d{2}-\d{2}", text) is None  # no day
    assert scenario.built_by == "trainer-user" and scenario.context == "checkpoint"
    entry = AuditEntry.objects.get(object_type="Scenario", object_id=str(scenario.pk))
    assert entry.action == "create" and entry.details["withheld"] >= 1


def test_a_scenario_with_few_incidents_withholds_every_small_figure(module: TrainingModule) -> None:
    fama = _actor("fama", "state_forces")
    for month in (2, 3, 3):
        _incident("ML0404", month, [fama], killed=1)
    scenario = build_scenario(module, "ML04", 2023, 2023, "checkpoint", actor="trainer-user")
    _check_numbers(scenario.text, scenario.figures)
    assert _shown_values(scenario.figures) <= {0}


def _people_figures(scenario: Scenario) -> dict[tuple[str, ...], int | None]:
    return {
        tuple(cell["key"]): cell["value"]
        for cells in scenario.figures["tables"].values()
        for cell in cells
        if cell["key"][0] != "incidents"
    }


def test_the_demo_scenario_shows_no_people_figure_behind_two_incidents(
    module: TrainingModule,
) -> None:
    """The demo's case (Mopti, air/drone strikes, 2022–2024): two incidents with large tolls
    once printed "Killed: 17" and "Displaced households: 47" beside "Incidents: —"."""
    fama = _actor("fama", "state_forces")
    _incident("ML0501", 3, [fama], "air_drone_strike", 2022, killed=9, injured=6)
    _incident("ML0503", 8, [fama], "air_drone_strike", 2023, killed=8, displaced_households=47)
    scenario = build_scenario(module, "ML05", 2022, 2024, "air_drone_strike", actor="trainer-user")
    people = _people_figures(scenario)
    assert people and all(value is None for value in people.values())
    numbers = set(map(int, re.findall(r"\d+", scenario.text)))
    assert numbers <= {2022, 2024, K}, scenario.text
    assert "Other types of harm: —" in scenario.text
    assert "Other cercles: —" in scenario.text


def test_a_toll_from_fewer_than_k_incidents_is_withheld_beside_a_shown_count(
    module: TrainingModule,
) -> None:
    """Six incidents are enough to show the count and the killed (5 incidents behind them),
    not the 47 displaced households of a single incident."""
    fama = _actor("fama", "state_forces")
    for month in range(1, 6):
        _incident("ML0404", month, [fama], killed=1)
    _incident("ML0404", 6, [fama], displaced_households=47)
    scenario = build_scenario(module, "ML04", 2023, 2023, "checkpoint", actor="trainer-user")
    key = {tuple(c["key"]): c["value"] for c in scenario.figures["tables"]["key"]}
    assert key[("incidents",)] == 6 and key[("killed",)] == 5
    assert key[("displaced_households",)] is None
    people = _people_figures(scenario)
    assert all(value is None for k, value in people.items() if k[0] == "displaced_households")
    assert "47" not in scenario.text and "Other types of harm: —" in scenario.text


def test_an_overlapping_period_is_refused_and_the_same_period_is_not(
    module: TrainingModule,
) -> None:
    """Mopti 2019–2024 beside 2020–2024 would give away the incidents of 2019 by subtraction."""
    fama = _actor("fama", "state_forces")
    for year in (2019, 2021):
        _incident("ML0501", 9, [fama], "other", year, killed=1)
    build_scenario(None, "ML05", 2019, 2024, "other", actor="trainer-user")
    with pytest.raises(TrainingError, match="overlap") as refused:
        build_scenario(None, "ML05", 2020, 2024, "other", actor="trainer-user")
    assert "2019–2024" in str(refused.value) and "subtract" in str(refused.value)
    with pytest.raises(TrainingError):
        build_scenario(None, "ML05", 2015, 2019, "other", actor="trainer-user")
    build_scenario(None, "ML05", 2019, 2024, "other", actor="trainer-user")  # identical
    build_scenario(None, "ML05", 2016, 2018, "other", actor="trainer-user")  # no overlap
    build_scenario(None, "ML05", 2020, 2024, "patrol", actor="trainer-user")  # other context
    build_scenario(None, "ML04", 2020, 2024, "other", actor="trainer-user")  # other region
    build_scenario(
        None, "ML05", 2020, 2024, "other", actor="trainer-user", actor_category="veo"
    )  # another category of actor
    assert Scenario.objects.count() == 6
