"""Both tests of a session are scored on one question set, frozen at its first test (one point a
correct answer), so retiring a question between them changes nothing; a re-entry replaces the
attempt and is audited; identities are revealed only to roles with
`view_participant_identities`, and each reveal is audited."""

from __future__ import annotations

from datetime import date

import pytest

from civharm.accounts.models import AuditEntry, User
from civharm.training.curriculum import (
    add_module_version,
    add_question,
    create_module,
    create_unit,
    set_question_active,
)
from civharm.training.errors import NotAllowedError, NotRegisteredError, UnknownQuestionError
from civharm.training.models import Participant, Question, Session, TestAttempt
from civharm.training.services import (
    add_participant,
    paired_scores,
    record_attempt,
    record_session,
    reveal_participant,
)

pytestmark = pytest.mark.django_db
ACTOR = "trainer-user"
SERVICE_NUMBER = "TST-0042-9917"  # generated
NAME = "Moussa Testdata-Diarra"  # invented
CHOICES = [{"key": k, "fr": f"choix {k}", "en": f"choice {k}"} for k in ("a", "b", "c")]


def _session_with_bank(correct: str = "bacb") -> tuple[Session, list[Question]]:
    """A session of a module whose bank has one question per letter of `correct`."""
    module = create_module(
        key="checkpoints", title_fr="Postes", title_en="Checkpoints", actor=ACTOR
    )
    version = add_module_version(module, objectives="o1\no2", materials="m1", actor=ACTOR)
    questions = [
        add_question(
            module,
            text_fr=f"Q{i} ?",
            text_en=f"Q{i}?",
            choices=CHOICES,
            correct=answer,
            actor=ACTOR,
        )
        for i, answer in enumerate(correct)
    ]
    unit = create_unit(name="Unité test", area_admin1_pcode="ML05", actor=ACTOR)
    session = record_session(
        module_version=version, held_on=date(2024, 2, 5), unit=unit, actor=ACTOR
    )
    return session, questions


def _participant(session: Session, number: str = SERVICE_NUMBER) -> Participant:
    return add_participant(
        session, service_number=number, name=NAME, rank="sergent", unit=session.unit, actor=ACTOR
    )


def test_score_is_one_point_per_correct_answer_over_the_session_questions() -> None:
    session, (q1, q2, q3, q4) = _session_with_bank("bacb")
    set_question_active(q4, False, actor=ACTOR)  # retired before the first test: not in it
    participant = _participant(session)
    # q1 right (b), q2 wrong (b instead of a), q3 blank -> 1 point out of 3 questions.
    attempt = record_attempt(
        session, participant, "pre", {q1.pk: "b", str(q2.pk): "b", q3.pk: ""}, actor=ACTOR
    )
    assert (attempt.score, attempt.max_score, attempt.percent) == (1, 3, pytest.approx(100 / 3))
    assert attempt.answers == {str(q1.pk): "b", str(q2.pk): "b"}
    session.refresh_from_db()
    assert session.question_ids == [q1.pk, q2.pk, q3.pk]
    with pytest.raises(UnknownQuestionError):  # a question outside the set cannot be answered
        record_attempt(session, participant, "post", {q4.pk: "b"}, actor=ACTOR)
    with pytest.raises(UnknownQuestionError):  # nor a choice that does not exist
        record_attempt(session, participant, "post", {q1.pk: "z"}, actor=ACTOR)


def test_retiring_questions_between_the_tests_changes_neither_set_nor_scores() -> None:
    session, questions = _session_with_bank("bbbbb")
    participant = _participant(session)
    first_three_right = {q.pk: ("b" if i < 3 else "a") for i, q in enumerate(questions)}
    pre = record_attempt(session, participant, "pre", first_three_right, actor=ACTOR)
    for question in questions[3:]:  # the two the participant got wrong
        set_question_active(question, False, actor=ACTOR)
    post = record_attempt(session, participant, "post", first_three_right, actor=ACTOR)
    assert (pre.score, pre.max_score) == (post.score, post.max_score) == (3, 5)  # no fake gain
    (pair,) = paired_scores()
    assert pair.pre == pair.post == 60.0
    corrected = record_attempt(  # correcting the pre-test still works, on the same five
        session, participant, "pre", {q.pk: "b" for q in questions[:2]}, actor=ACTOR
    )
    assert (corrected.score, corrected.max_score) == (2, 5)
    later = record_session(
        module_version=session.module_version, held_on=date(2024, 6, 3), unit=session.unit,
        actor=ACTOR,
    )  # fmt: skip
    again = _participant(later)  # a later session is scored on the bank as it is then
    newer = record_attempt(later, again, "pre", {q.pk: "b" for q in questions[:3]}, actor=ACTOR)
    assert (newer.score, newer.max_score) == (3, 3)
    frozen = AuditEntry.objects.filter(object_type="TrainingSession", action="update")
    assert [entry.details["questions"] for entry in frozen.order_by("id")] == [5, 3]


def test_a_reentry_replaces_the_attempt_and_is_audited() -> None:
    session, (q1, q2, q3, _q4) = _session_with_bank("bacb")
    participant = _participant(session)
    record_attempt(session, participant, "post", {q1.pk: "a"}, actor=ACTOR)
    again = record_attempt(
        session, participant, "post", {q1.pk: "b", q2.pk: "a", q3.pk: "c"}, actor=ACTOR
    )
    assert TestAttempt.objects.filter(session=session, participant=participant).count() == 1
    assert (again.score, again.max_score) == (3, 4)
    entries = AuditEntry.objects.filter(object_type="TrainingTestAttempt").order_by("id")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].details["previous_score"] == 0 and entries[1].details["score"] == 3


def test_paired_scores_pair_pre_and_post_in_percent() -> None:
    session, (q1, q2, _q3, q4) = _session_with_bank("bacb")
    first, second = _participant(session), _participant(session, "TST-0043-0001")
    record_attempt(session, first, "pre", {q1.pk: "b"}, actor=ACTOR)  # 1/4 = 25 %
    record_attempt(session, first, "post", {q1.pk: "b", q2.pk: "a", q4.pk: "b"}, actor=ACTOR)
    record_attempt(session, second, "pre", {q1.pk: "b"}, actor=ACTOR)  # no post: left out
    (pair,) = paired_scores()
    assert (pair.pre, pair.post, pair.session, pair.module) == (
        25.0,
        75.0,
        session.code,
        "checkpoints",
    )


def test_an_attempt_needs_a_registered_participant() -> None:
    session, (q1, *_rest) = _session_with_bank("b")
    other_session = record_session(
        module_version=session.module_version,
        held_on=date(2024, 3, 1),
        unit=session.unit,
        actor=ACTOR,
    )
    stranger = _participant(other_session)
    with pytest.raises(NotRegisteredError):
        record_attempt(session, stranger, "pre", {q1.pk: "b"}, actor=ACTOR)


def _user(role: str) -> User:
    return User.objects.create_user(f"{role}-user", password="x" * 20, role=role)


def test_reveal_needs_the_capability_and_is_audited() -> None:
    session, _questions = _session_with_bank("b")
    participant = _participant(session)
    with pytest.raises(NotAllowedError):
        reveal_participant(participant, user=_user("analyst"))
    assert not AuditEntry.objects.filter(action="read").exists()
    trainer = _user("trainer")
    assert reveal_participant(participant, user=trainer) == (SERVICE_NUMBER, NAME)
    read = AuditEntry.objects.get(action="read", object_type="TrainingParticipant")
    assert read.actor == trainer.username and set(read.fields) == {"name", "service_number"}
    assert read.details == {"pseudonym": participant.pseudonym}
