"""The one release partners receive: its population, its figures and tables, its audit, and
its cache (recomputed only when the register or the estimate run changed)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.analysis.published import (
    forget_partner_release,
    partner_records,
    partner_release,
    published_value,
)
from civharm.analysis.snapshot import forget_register_snapshot, register_snapshot
from civharm.disclosure import assert_release_is_safe
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator

pytestmark = pytest.mark.django_db
MOPTI = ("ML05", "Mopti", "ML0501", "Bandiagara")
SEGOU = ("ML04", "Ségou", "ML0404", "Niono")
GAO = ("ML07", "Gao", "ML0701", "Ansongo")


@pytest.fixture(autouse=True)
def _fresh(settings: Any) -> Iterator[None]:
    settings.CIVHARM = {
        **settings.CIVHARM,
        "ANALYSIS_REFRESH_SECONDS": 0,
        "SMALL_CELL_THRESHOLD": 5,
    }
    forget_register_snapshot()
    forget_partner_release()
    yield
    forget_register_snapshot()
    forget_partner_release()


def _incident(place: tuple[str, ...], month: int, actors: list[str], **harm: int) -> Incident:
    incident = Incident.objects.create(
        date_start=datetime.date(2022, month, 10), admin1_pcode=place[0], admin1_name=place[1],
        admin2_pcode=place[2], admin2_name=place[3], interaction_context="patrol",
        assessment_grade="fair",
    )  # fmt: skip
    for key in actors:
        actor, _ = Actor.objects.get_or_create(
            key=key, defaults={"category": "state_forces", "name_fr": key, "name_en": key}
        )
        IncidentPerpetrator.objects.create(incident=incident, actor=actor)
    for harm_type, best in harm.items():
        HarmCount.objects.create(incident=incident, harm_type=harm_type, low=best, best=best,
                                 high=best)  # fmt: skip
    return incident


@pytest.fixture
def register() -> None:
    """Mopti 8 (2 killed each), Ségou 6 (1 killed, 1 injured each), Gao 2 with both actors;
    a merged and a discounted incident that never count."""
    for n in range(8):
        _incident(MOPTI, 3 + n % 2, ["fama"], killed=2)
    for _ in range(6):
        _incident(SEGOU, 4, ["jnim"], killed=1, injured=1)
    for _ in range(2):
        _incident(GAO, 5, ["fama", "jnim"], killed=3)
    survivor = Incident.objects.first()
    merged = _incident(MOPTI, 3, ["fama"], killed=50)
    Incident.objects.filter(pk=merged.pk).update(merged_into=survivor)
    discounted = _incident(MOPTI, 3, ["fama"], killed=40)
    Incident.objects.filter(pk=discounted.pk).update(assessment_grade="discounted")


def _region_run(by: list[str], strata: dict[str, int]) -> EstimateRun:
    run = EstimateRun.objects.create(
        started_by="test", status="complete", by=by, methods=["loglinear"],
        documented=sum(strata.values()),
    )  # fmt: skip
    for name, documented in strata.items():
        StratumEstimate.objects.create(run=run, key=[name], method="loglinear",
                                       documented=documented, total=documented * 1.5,
                                       low=documented, high=documented * 2.0)  # fmt: skip
    return run


def test_the_release_counts_live_counted_incidents_in_one_set_of_tables(register: None) -> None:
    release = partner_release()
    assert set(release.tables) == {
        "figure", "figure_region", "figure_cercle", "figure_month", "figure_actor",
        "figure_context",
    }  # fmt: skip
    # 16 live, non-discounted incidents; the merged (50) and the discounted (40) are left out.
    assert published_value(release, "incidents") == 16
    assert published_value(release, "killed") == 8 * 2 + 6 + 2 * 3
    assert published_value(release, "injured") == 6
    assert published_value(release, "abducted") == 0
    shown = [published_value(release, "incidents", "region", p) for p in ("ML05", "ML04")]
    assert shown[0] in (8, None) and shown[1] in (6, None)
    assert None in shown  # withheld with Gao: Gao is not the total minus the others
    assert published_value(release, "killed", "month", "2022-04") in (None, 4 * 2 + 6)
    # The actor is a partition: Gao's incidents count once, under both actors together.
    actor_keys = {c.key[1] for c in release.table("figure_actor").cells if c.key[0] == "incidents"}
    assert actor_keys == {"fama", "jnim", "fama+jnim"}
    assert published_value(release, "incidents", "actor", "fama+jnim") is None  # 2: withheld
    assert published_value(release, "incidents", "region", "ML07") is None


def test_the_release_passes_the_exact_audit(register: None) -> None:
    _region_run(["region"], {"Mopti": 30, "Gao": 2, "Ségou": 12})
    release = partner_release()
    _figures, records = partner_records(register_snapshot().connection, EstimateRun.objects.first())
    assert_release_is_safe(records, release, measure="value")


def test_documented_persons_come_from_the_latest_run_by_region_alone(register: None) -> None:
    _region_run(["region"], {"Mopti": 30, "Gao": 2, "Ségou": 12})
    _region_run(["region", "year"], {"Mopti": 99})  # later, but not by region alone
    release = partner_release()
    assert published_value(release, "documented", "region", "ML05") == 30
    assert published_value(release, "documented", "region", "ML07") is None
    assert published_value(release, "documented") in (None, 44)


def test_the_release_is_recomputed_only_when_something_changed(register: None) -> None:
    first = partner_release()
    assert partner_release() is first
    forget_register_snapshot()  # a fresh copy of the same register: the same content
    assert partner_release() is first
    _incident(MOPTI, 3, ["fama"], killed=2)
    second = partner_release()
    assert second is not first
    assert published_value(second, "incidents") == 17
    _region_run(["region"], {"Mopti": 30})
    assert partner_release() is not second
