"""The dashboard's aggregate queries on the DuckDB snapshot: figures counted by hand on a small
register, and agreement with the same aggregates through the Django ORM on random filters."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from civharm.analysis.dashboard import (
    DASHBOARD_TABLES,
    DashboardFilter,
    UnknownDimensionError,
    aggregate,
    dashboard,
    interaction_patterns,
    unit_records,
)
from civharm.analysis.snapshot import RegisterSnapshot
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator

pytestmark = pytest.mark.django_db

PLACES = {
    "bandiagara": ("ML05", "Mopti", "ML0501", "Bandiagara"),
    "djenne": ("ML05", "Mopti", "ML0503", "Djenné"),
    "niono": ("ML04", "Ségou", "ML0404", "Niono"),
    "menaka": ("ML10", "Ménaka", "ML0704", "Ménaka"),
    "gao": ("ML07", "Gao", "ML0703", "Gao"),
    "mopti": ("ML05", "Mopti", "", ""),
}
# name: date, place, context, grade, perpetrators, {harm type: (low, best, high)}
HAND_COUNTED: dict[str, tuple[Any, ...]] = {
    "A": (date(2022, 3, 14), "bandiagara", "attack_on_village", "confirmed", ["fama"],
          {"killed": (10, 12, 15), "injured": (3, 3, 3)}),
    "B": (date(2022, 3, 20), "bandiagara", "ground_operation", "fair",
          ["fama", "africa_corps_wagner"], {"killed": (5, 6, 8)}),
    "C": (date(2022, 4, 2), "djenne", "ied_landmine", "weak", ["jnim"],
          {"killed": (2, 2, 2), "injured": (1, 4, 6)}),
    "D": (date(2022, 4, 30), "niono", "checkpoint", "confirmed", ["fama", "gendarmerie"],
          {"abducted": (3, 3, 3)}),
    "E": (date(2023, 1, 20), "menaka", "attack_on_village", "discounted", ["is_sahel"],
          {"killed": (30, 30, 30)}),
    "F": (date(2023, 2, 5), "gao", "", "", [], {"killed": (None, 1, None)}),
    "G": (None, "mopti", "patrol", "fair", ["unknown"], {}),
}  # fmt: skip


def create_incident(
    day: date | None,
    place: str,
    context: str,
    grade: str,
    actors: list[str],
    harm: dict[str, tuple[int | None, ...]],
    merged_into: Incident | None = None,
) -> Incident:
    admin1, admin1_name, admin2, admin2_name = PLACES[place]
    incident = Incident.objects.create(
        date_start=day,
        admin1_pcode=admin1,
        admin1_name=admin1_name,
        admin2_pcode=admin2,
        admin2_name=admin2_name,
        interaction_context=context,
        assessment_grade=grade,
        merged_into=merged_into,
    )
    known = {a.key: a for a in Actor.objects.filter(key__in=actors)}
    IncidentPerpetrator.objects.bulk_create(
        IncidentPerpetrator(incident=incident, actor=known[key]) for key in actors
    )
    HarmCount.objects.bulk_create(
        HarmCount(incident=incident, harm_type=kind, low=low, best=best, high=high)
        for kind, (low, best, high) in harm.items()
    )
    return incident


@pytest.fixture
def hand_counted() -> Any:
    incidents = {name: create_incident(*values) for name, values in HAND_COUNTED.items()}
    # Merged into A by linkage: its counts are A's already and must not count twice.
    create_incident(date(2022, 3, 14), "bandiagara", "attack_on_village", "", ["fama"],
                    {"killed": (100, 100, 100)}, merged_into=incidents["A"])  # fmt: skip
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    yield snapshot.connection
    snapshot.close()


def figures(rows: list[dict[str, Any]], dimension: str) -> dict[Any, tuple[int, int]]:
    return {row[dimension]: (row["incidents"], row["best"]) for row in rows}


def test_totals_leave_out_discounted_and_merged_incidents(hand_counted: Any) -> None:
    (total,) = aggregate(hand_counted, DashboardFilter(), ())
    assert total == {"incidents": 6, "low": 17, "best": 21, "high": 25}
    (everything,) = aggregate(hand_counted, DashboardFilter(include_discounted=True), ())
    assert (everything["incidents"], everything["best"]) == (7, 51)


def test_the_dashboard_tables_counted_by_hand(hand_counted: Any) -> None:
    tables = dashboard(hand_counted, DashboardFilter())
    assert figures(tables["by_region"], "region") == {
        "ML05": (4, 20), "ML04": (1, 0), "ML07": (1, 1)
    }  # fmt: skip
    assert {row["region"]: row["region_name"] for row in tables["by_region"]}["ML04"] == "Ségou"
    assert figures(tables["by_cercle"], "cercle") == {
        "ML0501": (2, 18), "ML0503": (1, 2), "ML0404": (1, 0), "ML0703": (1, 1), None: (1, 0)
    }  # fmt: skip
    assert figures(tables["by_month"], "month") == {
        date(2022, 3, 1): (2, 18), date(2022, 4, 1): (2, 2), date(2023, 2, 1): (1, 1), None: (1, 0)
    }  # fmt: skip
    assert [row["month"] for row in tables["by_month"]][-1] is None  # unknown dates last
    # B counts under FAMa and under Africa Corps: the actor rows add up to more than the total.
    assert figures(tables["by_actor"], "actor") == {
        "fama": (3, 18), "africa_corps_wagner": (1, 6), "jnim": (1, 2), "gendarmerie": (1, 0),
        "unknown": (1, 0), None: (1, 1),
    }  # fmt: skip
    # Each row of the harm-type table counts the people of its own harm type.
    assert figures(tables["by_harm_type"], "harm_type") == {
        "killed": (4, 21), "injured": (2, 7), "abducted": (1, 3), None: (1, 0)
    }  # fmt: skip
    assert figures(tables["by_context"], "context")["attack_on_village"] == (1, 12)
    assert tables["totals"] == [{"incidents": 6, "low": 17, "best": 21, "high": 25}]


def test_categories_count_an_incident_once(hand_counted: Any) -> None:
    rows = aggregate(hand_counted, DashboardFilter(), ("actor_category",))
    assert figures(rows, "actor_category") == {
        "state_forces": (3, 18), "foreign_forces": (1, 6), "veo": (1, 2), "unknown": (1, 0),
        None: (1, 1),
    }  # fmt: skip
    both = aggregate(hand_counted, DashboardFilter(), ("actor", "actor_category"))
    assert {(r["actor"], r["actor_category"]) for r in both} >= {("fama", "state_forces")}
    assert ("fama", "foreign_forces") not in {(r["actor"], r["actor_category"]) for r in both}


def test_filters(hand_counted: Any) -> None:
    def total(**chosen: Any) -> tuple[int, int]:
        (row,) = aggregate(hand_counted, DashboardFilter(**chosen), ())
        return row["incidents"], row["best"]

    assert total(actor_category="state_forces") == (3, 18)
    assert total(actor="fama", date_from=date(2022, 3, 1), date_to=date(2022, 3, 31)) == (2, 18)
    assert total(harm_type="injured") == (2, 14)
    assert total(region="ML05", cercle="ML0501") == (2, 18)
    assert total(context="attack_on_village") == (1, 12)
    assert total(context="attack_on_village", include_discounted=True) == (2, 42)
    assert total(grade="confirmed") == (2, 12)
    assert total(region="ML05' OR '1'='1") == (0, 0)  # a parameter, never SQL
    (injured,) = aggregate(hand_counted, DashboardFilter(), (), harm_type="injured")
    assert (injured["low"], injured["best"], injured["high"]) == (4, 7, 9)


def test_a_value_the_register_never_held_matches_nothing(hand_counted: Any) -> None:
    tables = dashboard(hand_counted, DashboardFilter(actor="no_such_actor"))
    assert tables["totals"] == [{"incidents": 0, "low": 0, "best": 0, "high": 0}]
    assert tables["by_region"] == [] == tables["by_actor"]
    unknown_measure = dashboard(hand_counted, DashboardFilter(), harm_type="no_such_harm")
    assert unknown_measure["totals"] == [{"incidents": 6, "low": 0, "best": 0, "high": 0}]


def test_unknown_dimension_is_refused(hand_counted: Any) -> None:
    with pytest.raises(UnknownDimensionError):
        aggregate(hand_counted, DashboardFilter(), ("admin1_pcode; DROP TABLE harm",))


def test_unit_records_one_per_incident(hand_counted: Any) -> None:
    records = list(unit_records(hand_counted, DashboardFilter()))
    assert len(records) == 6 and all(r["incidents"] == 1 for r in records)
    b = next(r for r in records if r["actor"] == ("africa_corps_wagner", "fama"))
    assert b["actor_category"] == ("foreign_forces", "state_forces")
    assert (b["harm_type"], b["killed"], b["injured"], b["abducted"]) == (("killed",), 6, 0, 0)
    assert (b["region"], b["cercle_name"], b["month"]) == ("ML05", "Bandiagara", date(2022, 3, 1))
    g = next(r for r in records if r["actor"] == ("unknown",))
    assert (g["month"], g["cercle"], g["harm_type"], g["killed"]) == ("", "", ("",), 0)
    assert sum(r["killed"] for r in records) == 21
    d = next(r for r in records if r["cercle"] == "ML0404")
    assert d["actor_category"] == ("state_forces",)  # FAMa and gendarmerie: one category


def test_interaction_patterns_of_the_national_forces(hand_counted: Any) -> None:
    rows = interaction_patterns(hand_counted, DashboardFilter())
    found = {(r["year"], r["context"], r["harm_type"]): (r["incidents"], r["best"]) for r in rows}
    assert found == {
        (2022, "attack_on_village", "killed"): (1, 12),
        (2022, "attack_on_village", "injured"): (1, 3),
        (2022, "ground_operation", "killed"): (1, 6),
        (2022, "checkpoint", "abducted"): (1, 3),
    }
    assert all(r["regions"] == 1 for r in rows)
    jnim = interaction_patterns(hand_counted, DashboardFilter(), actor="jnim")
    assert {(r["context"], r["harm_type"], r["best"]) for r in jnim} == {
        ("ied_landmine", "killed", 2), ("ied_landmine", "injured", 4)
    }  # fmt: skip


# -- agreement with the ORM ----------------------------------------------------------------

ACTORS = ["fama", "gendarmerie", "africa_corps_wagner", "jnim", "is_sahel", "dozo_militia"]
CONTEXTS = ["checkpoint", "patrol", "ied_landmine", "attack_on_village", ""]
GRADES = ["confirmed", "fair", "weak", "discounted", ""]
HARM = ["killed", "injured", "abducted"]


@pytest.fixture
def generated() -> Any:
    rng = random.Random(6)
    created: list[Incident] = []
    for _ in range(120):
        day = None if rng.random() < 0.05 else date(rng.choice([2021, 2022]), rng.randint(1, 12), 1)
        harm = {
            kind: (rng.choice([None, 1]), rng.choice([None, 0, 2, 7]), rng.choice([None, 9]))
            for kind in rng.sample(HARM, rng.randint(0, 2))
        }
        merged = rng.choice(created) if created and rng.random() < 0.1 else None
        created.append(
            create_incident(
                day,
                rng.choice(list(PLACES)),
                rng.choice(CONTEXTS),
                rng.choice(GRADES),
                rng.sample(ACTORS, rng.choice([0, 1, 1, 2])),
                harm,
                merged_into=merged,
            )
        )
    snapshot = RegisterSnapshot()
    snapshot.refresh()
    yield snapshot.connection
    snapshot.close()


def orm_incidents(wanted: DashboardFilter) -> QuerySet[Incident]:
    query = Q(merged_into=None)
    if wanted.date_from:
        query &= Q(date_start__gte=wanted.date_from)
    if wanted.date_to:
        query &= Q(date_start__lte=wanted.date_to)
    exact = {"admin1_pcode": wanted.region, "admin2_pcode": wanted.cercle,
             "interaction_context": wanted.context, "assessment_grade": wanted.grade}  # fmt: skip
    query &= Q(**{name: value for name, value in exact.items() if value})
    for lookup, value in (("actor__key", wanted.actor), ("actor__category", wanted.actor_category)):
        if value:
            perpetrated = IncidentPerpetrator.objects.filter(**{lookup: value})
            query &= Q(id__in=perpetrated.values("incident_id"))
    if wanted.harm_type:
        query &= Q(id__in=HarmCount.objects.filter(harm_type=wanted.harm_type).values("incident"))
    incidents = Incident.objects.filter(query)
    return (
        incidents if wanted.include_discounted else incidents.exclude(assessment_grade="discounted")
    )


ORM_DIMENSIONS = {
    "by_month": TruncMonth("date_start"),
    "by_region": F("admin1_pcode"),
    "by_cercle": F("admin2_pcode"),
    "by_context": F("interaction_context"),
    "by_actor": F("incidentperpetrator__actor__key"),
}


def orm_dashboard(wanted: DashboardFilter, harm_type: str) -> dict[str, dict[Any, tuple[int, ...]]]:
    measured = orm_incidents(wanted).annotate(
        m=FilteredRelation("harm_counts", condition=Q(harm_counts__harm_type=harm_type))
    )
    sums = {"incidents": Count("id", distinct=True), "low": Sum("m__low"), "best": Sum("m__best"),
            "high": Sum("m__high")}  # fmt: skip
    tables = {}
    for name, expression in ORM_DIMENSIONS.items():
        rows = measured.order_by().values(key=expression).annotate(**sums)
        tables[name] = {row["key"] or None: _measures(row) for row in rows}
    tables["totals"] = {None: _measures(measured.aggregate(**sums))}
    harm = HarmCount.objects.filter(incident__in=orm_incidents(wanted)).values("harm_type")
    tables["by_harm_type"] = {
        row["harm_type"]: _measures(row)
        for row in harm.annotate(
            incidents=Count("id"), low=Sum("low"), best=Sum("best"), high=Sum("high")
        )
    }
    bare = orm_incidents(wanted).filter(harm_counts=None).count()
    if bare:
        tables["by_harm_type"][None] = (bare, 0, 0, 0)
    return tables


def _measures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(row[m] or 0) for m in ("incidents", "low", "best", "high"))


DUCK_KEYS = {"by_month": "month", "by_region": "region", "by_cercle": "cercle",
             "by_context": "context", "by_actor": "actor", "by_harm_type": "harm_type"}  # fmt: skip


def random_filter(rng: random.Random) -> DashboardFilter:
    year = rng.choice([2021, 2022])
    place = PLACES[rng.choice(list(PLACES))]
    chosen: dict[str, Any] = {
        "date_from": date(year, rng.randint(1, 6), 1) if rng.random() < 0.4 else None,
        "date_to": date(year, rng.randint(6, 12), 28) if rng.random() < 0.4 else None,
        "region": place[0] if rng.random() < 0.3 else None,
        "cercle": place[2] or None if rng.random() < 0.15 else None,
        "actor": rng.choice(ACTORS) if rng.random() < 0.2 else None,
        "actor_category": rng.choice(["state_forces", "veo"]) if rng.random() < 0.2 else None,
        "harm_type": rng.choice(HARM) if rng.random() < 0.2 else None,
        "context": rng.choice(CONTEXTS[:-1]) if rng.random() < 0.2 else None,
        "grade": rng.choice(GRADES[:-1]) if rng.random() < 0.15 else None,
        "include_discounted": rng.random() < 0.3,
    }
    return DashboardFilter(**chosen)


def test_dashboard_agrees_with_the_orm_on_random_filters(generated: Any) -> None:
    rng = random.Random(66)
    nonempty = 0
    for _ in range(20):
        wanted, harm_type = random_filter(rng), rng.choice(HARM)
        duck = dashboard(generated, wanted, harm_type=harm_type)
        expected = orm_dashboard(wanted, harm_type)
        for name, rows in duck.items():
            key = DUCK_KEYS.get(name)
            found = {(row[key] if key else None): _measures(row) for row in rows}
            assert found == expected[name], (name, wanted, harm_type)
        by_aggregate = {
            name: aggregate(generated, wanted, by, harm_type=harm_type)
            for name, by in DASHBOARD_TABLES.items()
        }
        assert duck == by_aggregate  # the fact tables give what the plain tables give
        records = list(unit_records(generated, wanted, harm_type=harm_type))
        assert len(records) == expected["totals"][None][0]
        assert sum(r[harm_type] for r in records) == expected["totals"][None][2]
        nonempty += bool(records)
    assert nonempty >= 10  # the filters select something most of the time
