"""Training records: codes and versions; a participant's service number and name are never stored
or audited in clear, and the same number (however typed) finds the same participant; the demo
seed fills the curriculum and sessions once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from civharm.accounts.models import AuditEntry
from civharm.incidents.protection import field_cipher
from civharm.training.curriculum import add_module_version, create_module, create_unit
from civharm.training.demo import SESSIONS, seed_demo_training
from civharm.training.errors import AlreadyRegisteredError, NameMismatchError
from civharm.training.gain import gain_by_module
from civharm.training.models import (
    Attendance,
    ModuleVersion,
    Participant,
    Question,
    Session,
    TestAttempt,
    TrainingModule,
    TrainingPartner,
    Unit,
)
from civharm.training.services import (
    add_participant,
    paired_scores,
    record_session,
    service_number_key,
)

pytestmark = pytest.mark.django_db
ACTOR = "trainer-user"
SERVICE_NUMBER = "QX-774-31908"  # generated
NAME = "Boubacar Testdata-Maïga"  # invented


def _session() -> Session:
    module = create_module(key="detention", title_fr="Détention", title_en="Detention", actor=ACTOR)
    add_module_version(module, objectives="a", materials="b", actor=ACTOR)
    version = add_module_version(module, objectives="a\n b \n\nc", materials="m", actor=ACTOR)
    unit = create_unit(name="Unité test", area_admin1_pcode="ML04", actor=ACTOR)
    return record_session(module_version=version, held_on=date(2023, 6, 1), unit=unit, actor=ACTOR)


def test_versions_codes_and_lines() -> None:
    session = _session()
    module = session.module
    assert module.current_version == session.module_version
    assert session.module_version.version == 2
    assert session.module_version.objective_lines == ["a", "b", "c"]
    assert session.code == f"FOR-{session.pk:06d}"
    assert session.admin1_pcode == "ML04"  # from the unit when not given
    with pytest.raises(IntegrityError), transaction.atomic():
        ModuleVersion.objects.create(module=module, version=2, created_by=ACTOR)


def test_service_number_and_name_never_in_clear_in_the_database_or_the_audit_trail() -> None:
    session = _session()
    participant = add_participant(
        session, service_number=SERVICE_NUMBER, name=NAME, rank="caporal", unit=None, actor=ACTOR
    )
    assert participant.pseudonym.startswith("S-")
    assert participant.service_number_key == service_number_key(SERVICE_NUMBER)
    needles = (SERVICE_NUMBER, "QX77431908", "31908", "Testdata")
    with connection.cursor() as cursor:
        for model in (Participant, Attendance, Session, AuditEntry):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608 - model tables
            dump = json.dumps(cursor.fetchall(), default=str)
            assert not any(needle in dump for needle in needles), model.__name__
    entry = AuditEntry.objects.get(object_type="TrainingParticipant", action="create")
    assert entry.details == {"pseudonym": participant.pseudonym}
    assert {"service_number", "name", "rank"} <= set(entry.fields)


def test_the_same_service_number_however_typed_is_one_participant() -> None:
    session = _session()
    first = add_participant(
        session, service_number=SERVICE_NUMBER, name=NAME, rank="caporal", unit=None, actor=ACTOR
    )
    later = record_session(
        module_version=session.module_version,
        held_on=date(2024, 1, 8),
        unit=session.unit,
        actor=ACTOR,
    )
    again = add_participant(
        later,
        service_number=" qx 774-31908",
        name="  boubacar TESTDATA maiga ",  # same name, typed otherwise
        rank="sergent",
        unit=session.unit,
        actor=ACTOR,
    )
    assert again.pk == first.pk and Participant.objects.count() == 1
    again.refresh_from_db()
    assert (again.rank, again.unit) == ("caporal", None)  # the record is never overwritten
    ranks = dict(Attendance.objects.values_list("session_id", "rank"))
    assert ranks == {session.pk: "caporal", later.pk: "sergent"}  # promoted since: per session
    assert Attendance.objects.get(session=later).unit == session.unit
    assert not AuditEntry.objects.filter(object_type="TrainingParticipant", action="update")
    lookup = AuditEntry.objects.get(object_type="TrainingParticipant", action="lookup")
    assert lookup.details == {
        "session": later.code,
        "pseudonym": first.pseudonym,
        "outcome": "matched",
    }


def test_a_known_number_with_another_name_or_twice_in_a_session_is_refused() -> None:
    session = _session()
    first = add_participant(
        session, service_number=SERVICE_NUMBER, name=NAME, rank="caporal", unit=None, actor=ACTOR
    )
    later = record_session(
        module_version=session.module_version, held_on=date(2024, 1, 8), unit=session.unit,
        actor=ACTOR,
    )  # fmt: skip
    with pytest.raises(NameMismatchError) as refused:
        add_participant(
            later, service_number=SERVICE_NUMBER, name="Awa Autre-Personne", rank="soldat",
            unit=session.unit, actor=ACTOR,
        )  # fmt: skip
    assert "Testdata" not in str(refused.value) and "Autre" not in str(refused.value)
    assert not Attendance.objects.filter(session=later).exists()
    first.refresh_from_db()
    assert (first.rank, first.unit) == ("caporal", None)
    assert reveal_name(first) == NAME  # the typed name was not stored either
    with pytest.raises(AlreadyRegisteredError):
        add_participant(
            session, service_number=SERVICE_NUMBER, name=NAME, rank="soldat", unit=None,
            actor=ACTOR,
        )  # fmt: skip
    assert Attendance.objects.get(session=session).rank == "caporal"
    outcomes = AuditEntry.objects.filter(action="lookup").order_by("id")
    assert [entry.details["outcome"] for entry in outcomes] == [
        "name_differs",
        "already_registered",
    ]


def reveal_name(participant: Participant) -> str:
    return field_cipher().decrypt(participant.name_encrypted)


def test_the_demo_seed_fills_the_curriculum_and_sessions_once() -> None:
    added = seed_demo_training("demo:test")
    assert added["modules"] == TrainingModule.objects.count() == 7
    assert all(5 <= m.questions.count() <= 8 for m in TrainingModule.objects.all())
    assert all(
        2 <= len(m.current_version.objective_lines) <= 4 for m in TrainingModule.objects.all()
    )
    assert {q.correct for q in Question.objects.all()} >= {"a", "b", "c"}
    assert sorted(TrainingPartner.objects.values_list("kind", flat=True)) == [
        "international",
        "local",
        "regional",
    ]
    assert {u.area_admin1_pcode for u in Unit.objects.all()} == {"ML04", "ML05", "ML06"}
    assert added["sessions"] == Session.objects.count() == len(SESSIONS)
    assert {s.held_on.year for s in Session.objects.all()} == {2022, 2023, 2024}
    for session in Session.objects.all():
        assert 10 <= session.attendances.count() <= 20
    assert Participant.objects.count() < added["participants"]  # some came back
    gains = gain_by_module(paired_scores())
    assert len(gains) == len(SESSIONS)
    assert all(g.mean_gain is not None and g.low is not None for g in gains.values())
    assert sum(g.mean_gain or 0 for g in gains.values()) > 0
    assert len({round(g.mean_gain or 0) for g in gains.values()}) > 2  # variety
    assert TestAttempt.objects.count() == added["attempts"]
    assert set(seed_demo_training("demo:test").values()) == {0}
    assert Session.objects.count() == len(SESSIONS)
