"""Does it work: a constructed register where harm by the national forces falls in trained
cercles after training and not elsewhere gives a negative estimate; a thin one gives none."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from civharm.analysis.snapshot import forget_register_snapshot
from civharm.incidents.models import Actor, Incident, IncidentPerpetrator
from civharm.training.effect import (
    AFTER,
    BEFORE,
    COMPARISON,
    TRAINED,
    WITHHELD_ESTIMATE,
    effect_by_partner,
    training_effect,
)
from civharm.training.models import ModuleVersion, Session, TrainingModule, TrainingPartner, Unit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 1)
SESSION_DAY = datetime.date(2023, 1, 15)
TRAINED_CERCLES = ("ML0401", "ML0402", "ML0403")
OTHER_CERCLES = ("ML0404", "ML0405", "ML0406", "ML0407")


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> Iterator[None]:
    settings.CIVHARM = {
        **settings.CIVHARM,
        "ANALYSIS_REFRESH_SECONDS": 0,
        "SMALL_CELL_THRESHOLD": 5,
    }
    forget_register_snapshot()
    yield
    forget_register_snapshot()


def _months(start: tuple[int, int], count: int) -> list[datetime.date]:
    year, month = start
    days = []
    for _ in range(count):
        days.append(datetime.date(year, month, 10))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _incidents(cercle: str, days: list[datetime.date], actor: Actor) -> None:
    made = Incident.objects.bulk_create(
        Incident(date_start=day, admin1_pcode="ML04", admin2_pcode=cercle,
                 interaction_context="checkpoint", assessment_grade="fair")
        for day in days
    )  # fmt: skip
    IncidentPerpetrator.objects.bulk_create(
        IncidentPerpetrator(incident=incident, actor=actor) for incident in made
    )


def _session(unit: Unit, partner: TrainingPartner, day: datetime.date) -> Session:
    module, _ = TrainingModule.objects.get_or_create(
        key="distinction", defaults={"title_fr": "D", "title_en": "D"}
    )
    version, _ = ModuleVersion.objects.get_or_create(
        module=module, version=1, defaults={"created_by": "t"}
    )
    return Session.objects.create(
        module_version=version, held_on=day, unit=unit, partner=partner, created_by="t"
    )


@pytest.fixture
def register() -> dict[str, TrainingPartner]:
    """Ségou: trained cercles have 1-2 FAMa incidents a month before January 2023 and about a
    third as many after; the other cercles keep their rate. JNIM incidents never count."""
    fama = Actor.objects.get_or_create(key="fama", defaults={"category": "state_forces"})[0]
    jnim = Actor.objects.get_or_create(key="jnim", defaults={"category": "veo"})[0]
    for n, cercle in enumerate(TRAINED_CERCLES + OTHER_CERCLES):
        before = _months((2022, 1), 12) * (1 + n % 2)
        after = _months((2023, 2), 12) * (1 + n % 2)
        _incidents(cercle, before, fama)
        _incidents(cercle, after[::3] if cercle in TRAINED_CERCLES else after, fama)
        _incidents(cercle, after, jnim)
    local = TrainingPartner.objects.create(name="Partenaire local (test)", kind="local")
    small = TrainingPartner.objects.create(name="Programme régional (test)", kind="regional")
    first = Unit.objects.create(
        name="1er régiment (généré)",
        area_admin1_pcode="ML04",
        area_admin2_pcodes=["ML0401", "ML0402"],
    )
    second = Unit.objects.create(
        name="2e régiment (généré)", area_admin1_pcode="ML04", area_admin2_pcodes=["ML0403"]
    )
    _session(first, local, SESSION_DAY)
    _session(second, local, SESSION_DAY)
    _session(second, small, datetime.date(2024, 11, 5))  # after window: only 3 months observed
    return {"local": local, "small": small}


def test_harm_falling_in_trained_cercles_gives_a_negative_estimate(register) -> None:
    report = training_effect(register["local"], today=TODAY)
    assert (report.units, report.trained_areas, report.comparison_areas) == (2, 3, 4)
    assert report.totals[(TRAINED, BEFORE)] == 12 + 24 + 12
    assert report.totals[(TRAINED, AFTER)] == 4 + 8 + 4
    assert (
        report.totals[(COMPARISON, BEFORE)]
        == report.totals[(COMPARISON, AFTER)]
        == 24 + 12 + 24 + 12
    )
    estimate = report.estimate
    assert estimate is not None and estimate.effect is not None
    assert estimate.effect == pytest.approx(16 / 48 - 1)
    assert estimate.high is not None and estimate.high < 0
    assert len(report.caveats) >= 5


def test_a_thin_selection_publishes_no_estimate_and_withholds_small_totals(register) -> None:
    report = training_effect(register["small"], today=TODAY)
    assert report.trained_areas == 1
    assert report.estimate is None and report.reason == WITHHELD_ESTIMATE
    assert not any(value is not None and 1 <= value < 5 for value in report.totals.values())


def test_one_report_per_partner_then_all_together(register) -> None:
    reports = effect_by_partner(window_months=12, today=TODAY)
    assert [r.partner for r in reports] == [
        "Partenaire local (test)",
        "Programme régional (test)",
        None,
    ]
