"""Does it work: a constructed register where harm by the national forces falls in trained
cercles after training and not elsewhere gives a negative estimate; a thin one gives none;
every report of a period comes from one release."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from civharm.analysis.snapshot import forget_register_snapshot
from civharm.incidents.models import Actor, Incident, IncidentPerpetrator
from civharm.training.effect import (
    AFTER,
    ATTENDED_CAVEAT,
    BEFORE,
    COMPARISON,
    NOT_OBSERVED,
    REGISTER_START_CAVEAT,
    SINGLE_AREA_WITHHELD,
    TRAINED,
    WITHHELD_ESTIMATE,
    effect_by_partner,
    training_effect,
)
from civharm.training.models import (
    Attendance,
    ModuleVersion,
    Participant,
    Session,
    TrainingModule,
    TrainingPartner,
    Unit,
)

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


def _session(
    unit: Unit, partner: TrainingPartner, day: datetime.date, *, attended: bool = True
) -> Session:
    module, _ = TrainingModule.objects.get_or_create(
        key="distinction", defaults={"title_fr": "D", "title_en": "D"}
    )
    version, _ = ModuleVersion.objects.get_or_create(
        module=module, version=1, defaults={"created_by": "t"}
    )
    session = Session.objects.create(
        module_version=version, held_on=day, unit=unit, partner=partner, created_by="t"
    )
    number = Participant.objects.count() + 1
    person = Participant.objects.create(
        pseudonym=f"P-{number:04d}", service_number_key=f"generated-{number}", unit=unit
    )
    Attendance.objects.create(session=session, participant=person, attended=attended)
    return session


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
    # Three trained cercles that all fall alike: the bootstrap alone would give a very narrow
    # interval; the Poisson floor on 48, 16, 72 and 72 incidents (with a t quantile on two
    # degrees of freedom) keeps it honest, here crossing zero.
    assert estimate.low is not None and estimate.high is not None
    assert -1 < estimate.low < -0.85 and 0.2 < estimate.high < 0.6
    assert len(report.caveats) >= 5


def test_a_single_trained_cercle_is_withheld_with_the_estimate(register) -> None:
    report = training_effect(register["small"], today=TODAY)
    assert report.trained_areas == 1
    assert report.estimate is None and report.reason == SINGLE_AREA_WITHHELD
    assert report.totals[(TRAINED, BEFORE)] is None and report.totals[(TRAINED, AFTER)] is None


def test_small_totals_withhold_the_estimate(register, settings) -> None:
    settings.CIVHARM = {**settings.CIVHARM, "SMALL_CELL_THRESHOLD": 20}
    report = training_effect(register["local"], today=TODAY)
    assert report.totals[(TRAINED, AFTER)] is None and report.totals[(TRAINED, BEFORE)] == 48
    assert report.estimate is None and report.reason == WITHHELD_ESTIMATE


def test_every_report_of_a_period_comes_from_one_release(register) -> None:
    reports = effect_by_partner(window_months=12, today=TODAY)
    assert [r.partner for r in reports] == [
        "Partenaire local (test)",
        "Programme régional (test)",
        None,
    ]
    alone = training_effect(register["local"], window_months=12, today=TODAY)
    assert alone.totals == reports[0].totals and alone.key == reports[0].key
    # All partners: the second unit's cercle takes its earliest session (January 2023).
    assert reports[-1].totals == reports[0].totals


def test_periods_are_whole_years(register) -> None:
    in_2023 = training_effect(register["local"], 2023, 2023, today=TODAY)
    assert in_2023.trained_areas == 3 and (in_2023.year_from, in_2023.year_to) == (2023, 2023)
    reports = effect_by_partner(2024, today=TODAY)
    assert [r.partner for r in reports] == ["Programme régional (test)", None]
    later = training_effect(register["local"], 2024, today=TODAY)
    assert later.units == 0 and later.reason == NOT_OBSERVED


def test_a_session_nobody_attended_trains_nobody(register) -> None:
    absent = TrainingPartner.objects.create(name="Absents (test)", kind="local")
    unit = Unit.objects.create(
        name="3e régiment (généré)", area_admin1_pcode="ML04", area_admin2_pcodes=["ML0404"]
    )
    _session(unit, absent, SESSION_DAY, attended=False)
    report = training_effect(absent, today=TODAY)
    assert report.units == 0 and report.reason == NOT_OBSERVED
    assert ATTENDED_CAVEAT in report.caveats
    assert "Absents (test)" not in [r.partner for r in effect_by_partner(today=TODAY)]
    # Its cercle is no comparison area either: the unit may well have been trained.
    assert training_effect(register["local"], today=TODAY).comparison_areas == 3


def test_before_windows_are_cut_at_the_register_start(register) -> None:
    early = TrainingPartner.objects.create(name="Précoce (test)", kind="local")
    unit = Unit.objects.create(
        name="4e régiment (généré)",
        area_admin1_pcode="ML04",
        area_admin2_pcodes=["ML0404", "ML0405"],
    )
    _session(unit, early, datetime.date(2022, 6, 20))
    report = training_effect(early, today=TODAY)
    # January to May 2022 only (the register starts in January 2022): 2 + 1 a month.
    assert report.trained_areas == 2 and report.totals[(TRAINED, BEFORE)] == 5 * 3
    assert REGISTER_START_CAVEAT in report.caveats
    assert REGISTER_START_CAVEAT not in training_effect(register["local"], today=TODAY).caveats
