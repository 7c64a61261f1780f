"""Training services: record sessions and participants, score tests, reveal identities (audited)
and gather paired scores for the knowledge-gain figures.

Writers take the acting username (the pages check `manage_training` first, as elsewhere); the
reader of identities takes the User and checks `view_participant_identities` itself. Service
numbers and names are encrypted; they are never logged, never put in audit details or errors.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.core.protection import new_pseudonym
from civharm.core.text import fold
from civharm.incidents.protection import field_cipher
from civharm.training.errors import (
    AlreadyRegisteredError,
    MissingServiceNumberError,
    NameMismatchError,
    NotAllowedError,
    NotRegisteredError,
    TrainingError,
    UnknownQuestionError,
)
from civharm.training.gain import PairedScore, percent
from civharm.training.models import (
    ATTEMPT_KINDS,
    Attendance,
    ModuleVersion,
    Participant,
    Question,
    Session,
    TestAttempt,
    TrainingPartner,
    Unit,
)

if TYPE_CHECKING:
    from civharm.accounts.models import User

VIEW_IDENTITIES_CAPABILITY = "view_participant_identities"
_SERVICE_NUMBER_SEPARATORS = re.compile(r"[\s\-./]+")
_KEY_DERIVATION_LABEL = b"civharm.training.service-number-key.v1"


# -- service numbers ------------------------------------------------------------------


def normalise_service_number(service_number: str) -> str:
    """'fa-12 345 ' -> 'FA12345': the same number however it was typed."""
    return _SERVICE_NUMBER_SEPARATORS.sub("", service_number).upper()


def _derived_keys() -> list[bytes]:
    """One HMAC key per field key (newest first): after a key rotation the old key still finds
    the participants keyed before it; they are re-keyed with the newest key when found."""
    return [
        hmac.new(field_key, _KEY_DERIVATION_LABEL, hashlib.sha256).digest()
        for field_key in settings.FIELD_ENCRYPTION_KEYS
    ]


def _service_number_keys(service_number: str) -> list[str]:
    normalised = normalise_service_number(service_number).encode("utf-8")
    return [hmac.new(key, normalised, hashlib.sha256).hexdigest() for key in _derived_keys()]


def service_number_key(service_number: str) -> str:
    """HMAC-SHA256 of the normalised service number, keyed from the newest field key."""
    return _service_number_keys(service_number)[0]


def find_participant(service_number: str) -> Participant | None:
    """The participant with this service number, if any (by keyed hash, never in clear)."""
    keys = _service_number_keys(service_number)
    participant = Participant.objects.filter(service_number_key__in=keys).first()
    if participant is not None and participant.service_number_key != keys[0]:
        participant.service_number_key = keys[0]
        participant.save(update_fields=["service_number_key"])
    return participant


# -- sessions and participants --------------------------------------------------------


def record_session(
    *,
    module_version: ModuleVersion,
    held_on: date,
    unit: Unit,
    actor: str,
    ends_on: date | None = None,
    place_name: str = "",
    admin1_pcode: str = "",
    partner: TrainingPartner | None = None,
    trainers: str = "",
) -> Session:
    """Create a session of a module version for a unit, audited."""
    with transaction.atomic():
        session = Session.objects.create(
            module_version=module_version,
            held_on=held_on,
            ends_on=ends_on,
            place_name=place_name,
            admin1_pcode=admin1_pcode or unit.area_admin1_pcode,
            unit=unit,
            partner=partner,
            trainers=trainers,
            created_by=actor,
        )
        audit.record(
            actor,
            "create",
            "TrainingSession",
            session.pk,
            details={
                "session": session.code,
                "module": module_version.module.key,
                "version": module_version.version,
            },
        )
    return session


def add_participant(
    session: Session,
    *,
    service_number: str,
    name: str,
    rank: str,
    unit: Unit | None,
    actor: str,
) -> Participant:
    """Register a participant for the session (attending), with their rank and unit at this
    session. A known service number finds the same participant again only if the typed name is
    theirs (or none was typed, or none is recorded); their record is never overwritten. Every
    match is audited as a lookup, refused ones too (NameMismatchError, AlreadyRegisteredError)."""
    if not normalise_service_number(service_number):
        raise MissingServiceNumberError(_("A participant needs a service number."))
    refusal: TrainingError | None = None
    with transaction.atomic():
        participant = find_participant(service_number)
        if participant is None:
            participant = _create_participant(service_number, name, rank, unit, actor)
        else:
            refusal = _refusal_for_match(session, participant, name)
            _audit_lookup(actor, session, participant, refusal)
            if refusal is None:
                _complete_name(participant, name, actor)
        if refusal is None:
            _register(session, participant, rank, unit, actor)
    if refusal is not None:  # raised after the block, so that the lookup entry is kept
        raise refusal
    return participant


def same_name(typed: str, recorded: str) -> bool:
    """Names compared without accents, case, punctuation or word order."""
    return sorted(fold(typed).split()) == sorted(fold(recorded).split())


def _refusal_for_match(
    session: Session, participant: Participant, name: str
) -> TrainingError | None:
    """Why a matched participant may not be registered here, if they may not. The messages echo
    neither name: a mistyped number must not tell who it belongs to."""
    recorded = field_cipher().decrypt(participant.name_encrypted) if name.strip() else ""
    if recorded and not same_name(name, recorded):
        return NameMismatchError(
            _(
                "This service number is recorded under another name: check the number and the "
                "name, or ask a trainer."
            )
        )
    if Attendance.objects.filter(session=session, participant=participant).exists():
        return AlreadyRegisteredError(_("This participant is already registered for the session."))
    return None


def _audit_lookup(
    actor: str, session: Session, participant: Participant, refusal: TrainingError | None
) -> None:
    outcomes = {NameMismatchError: "name_differs", AlreadyRegisteredError: "already_registered"}
    audit.record(
        actor,
        "lookup",
        "TrainingParticipant",
        participant.pk,
        fields=["name", "service_number"],
        details={
            "session": session.code,
            "pseudonym": participant.pseudonym,
            "outcome": "matched" if refusal is None else outcomes[type(refusal)],
        },
    )


def _register(
    session: Session, participant: Participant, rank: str, unit: Unit | None, actor: str
) -> Attendance:
    attendance = Attendance.objects.create(
        session=session, participant=participant, attended=True, rank=rank, unit=unit
    )
    audit.record(
        actor,
        "create",
        "TrainingAttendance",
        attendance.pk,
        fields=["attended", "rank"] + (["unit"] if unit else []),
        details={"session": session.code, "pseudonym": participant.pseudonym},
    )
    return attendance


def _create_participant(
    service_number: str, name: str, rank: str, unit: Unit | None, actor: str
) -> Participant:
    cipher = field_cipher()
    participant = Participant.objects.create(
        pseudonym=_free_pseudonym(),
        service_number_key=service_number_key(service_number),
        service_number_encrypted=cipher.encrypt(service_number.strip()),  # as written
        name_encrypted=cipher.encrypt(name.strip()),
        rank=rank,
        unit=unit,
    )
    fields = ["service_number", "rank"] + (["name"] if name.strip() else [])
    audit.record(
        actor,
        "create",
        "TrainingParticipant",
        participant.pk,
        fields=fields + (["unit"] if unit else []),
        details={"pseudonym": participant.pseudonym},
    )
    return participant


def _complete_name(participant: Participant, name: str, actor: str) -> None:
    """A participant recorded without a name takes the one typed now (nothing is replaced)."""
    if not name.strip() or field_cipher().decrypt(participant.name_encrypted):
        return
    participant.name_encrypted = field_cipher().encrypt(name.strip())
    participant.save(update_fields=["name_encrypted"])
    audit.record(
        actor,
        "update",
        "TrainingParticipant",
        participant.pk,
        fields=["name"],
        details={"pseudonym": participant.pseudonym},
    )


def _free_pseudonym() -> str:
    while True:
        pseudonym = new_pseudonym("S")
        if not Participant.objects.filter(pseudonym=pseudonym).exists():
            return pseudonym


def record_attendance(
    session: Session, participant: Participant, attended: bool, *, actor: str
) -> Attendance:
    """Mark a registered participant as present or absent, audited when it changes."""
    with transaction.atomic():
        attendance = Attendance.objects.filter(session=session, participant=participant).first()
        if attendance is None:
            raise NotRegisteredError(_("This participant is not registered for the session."))
        if attendance.attended != attended:
            attendance.attended = attended
            attendance.save(update_fields=["attended"])
            audit.record(
                actor,
                "update",
                "TrainingAttendance",
                attendance.pk,
                fields=["attended"],
                details={
                    "session": session.code,
                    "pseudonym": participant.pseudonym,
                    "attended": attended,
                },
            )
    return attendance


# -- tests ----------------------------------------------------------------------------


def session_questions(session: Session) -> list[Question]:
    """The questions both tests of this session are scored on: the set frozen at its first test
    (retired questions included), or before any test the module's active bank."""
    questions = Question.objects.filter(module_id=session.module_version.module_id)
    if session.question_ids is None:
        return list(questions.filter(active=True).order_by("id"))
    return list(questions.filter(pk__in=session.question_ids).order_by("id"))


def _freeze_questions(session: Session, actor: str) -> list[Question]:
    """Freeze the session's question set at its first test (call inside the transaction)."""
    # Locked re-read (PostgreSQL): two first tests entered at once freeze one set.
    frozen = Session.objects.select_for_update().values_list("question_ids", flat=True)
    session.question_ids = frozen.get(pk=session.pk)
    if session.question_ids is None:
        session.question_ids = [question.pk for question in session_questions(session)]
        session.save(update_fields=["question_ids"])
        audit.record(
            actor,
            "update",
            "TrainingSession",
            session.pk,
            fields=["question_ids"],
            details={"session": session.code, "questions": len(session.question_ids)},
        )
    return session_questions(session)


def score_answers(questions: Iterable[Question], answers: Mapping[str, str]) -> tuple[int, int]:
    """(score, max_score): one point per question answered with its correct choice."""
    score = maximum = 0
    for question in questions:
        maximum += 1
        if answers.get(str(question.pk)) == question.correct:
            score += 1
    return score, maximum


def record_attempt(
    session: Session,
    participant: Participant,
    kind: str,
    answers: Mapping[str | int, str],
    *,
    actor: str,
) -> TestAttempt:
    """Score a pre- or post-test on the session's question set (frozen at its first test, so
    both tests count the same questions) and store it; entering the same attempt again replaces
    it (audited as a change)."""
    if kind not in dict(ATTEMPT_KINDS):
        raise ValueError(f"unknown test kind: {kind!r}")
    with transaction.atomic():
        if not Attendance.objects.filter(session=session, participant=participant).exists():
            raise NotRegisteredError(_("This participant is not registered for the session."))
        questions = _freeze_questions(session, actor)
        cleaned = _checked_answers(questions, answers)
        score, maximum = score_answers(questions, cleaned)
        previous = TestAttempt.objects.filter(
            session=session, participant=participant, kind=kind
        ).first()
        attempt, _created = TestAttempt.objects.update_or_create(
            session=session,
            participant=participant,
            kind=kind,
            defaults={
                "answers": cleaned,
                "score": score,
                "max_score": maximum,
                "scored_at": timezone.now(),
            },
        )
        _audit_attempt(actor, attempt, previous)
    return attempt


def _audit_attempt(actor: str, attempt: TestAttempt, previous: TestAttempt | None) -> None:
    details: dict[str, object] = {
        "session": attempt.session.code,
        "pseudonym": attempt.participant.pseudonym,
        "kind": attempt.kind,
        "score": attempt.score,
        "max_score": attempt.max_score,
    }
    if previous is not None:
        details.update(previous_score=previous.score, previous_max_score=previous.max_score)
    audit.record(
        actor,
        "create" if previous is None else "update",
        "TrainingTestAttempt",
        attempt.pk,
        fields=["answers", "score"],
        details=details,
    )


def _checked_answers(questions: list[Question], answers: Mapping[str | int, str]) -> dict[str, str]:
    """Answers keyed by question id (as text); blank answers dropped; unknown ones refused."""
    by_id = {str(question.pk): question for question in questions}
    cleaned: dict[str, str] = {}
    for question_id, choice in answers.items():
        if choice in (None, ""):
            continue
        question = by_id.get(str(question_id))
        if question is None:
            raise UnknownQuestionError(
                _("An answer refers to a question that is not in this session's test.")
            )
        if str(choice) not in {str(option["key"]) for option in question.choices}:
            raise UnknownQuestionError(_("An answer is not one of the question's choices."))
        cleaned[str(question_id)] = str(choice)
    return cleaned


# -- identities -----------------------------------------------------------------------


def reveal_participant(participant: Participant, *, user: User) -> tuple[str, str]:
    """(service number, name), decrypted; the reading is written to the audit trail first."""
    if not user.can(VIEW_IDENTITIES_CAPABILITY):
        raise NotAllowedError(_("Your role may not see participants' identities."))
    with transaction.atomic():
        audit.record(
            user.get_username(),
            "read",
            "TrainingParticipant",
            participant.pk,
            fields=["name", "service_number"],
            details={"pseudonym": participant.pseudonym},
        )
    cipher = field_cipher()
    return (
        cipher.decrypt(participant.service_number_encrypted),
        cipher.decrypt(participant.name_encrypted),
    )


# -- knowledge gain -------------------------------------------------------------------


def paired_scores(sessions: Iterable[Session] | None = None) -> list[PairedScore]:
    """Each participant's pre and post scores (in %) per session, where both were entered.

    Groups are labelled by session code, module key, unit name and partner name (no person)."""
    attempts = TestAttempt.objects.select_related(
        "session__module_version__module", "session__unit", "session__partner"
    ).filter(max_score__gt=0)
    if sessions is not None:
        attempts = attempts.filter(session__in=list(sessions))
    by_pair: dict[tuple[int, int], dict[str, TestAttempt]] = {}
    for attempt in attempts:
        by_pair.setdefault((attempt.session_id, attempt.participant_id), {})[attempt.kind] = attempt
    scores = []
    for (_session_id, _participant_id), kinds in sorted(by_pair.items()):
        if "pre" not in kinds or "post" not in kinds:
            continue
        session = kinds["pre"].session
        scores.append(
            PairedScore(
                session=session.code,
                module=session.module_version.module.key,
                unit=session.unit.name,
                partner=session.partner.name if session.partner else "",
                pre=percent(kinds["pre"].score, kinds["pre"].max_score) or 0.0,
                post=percent(kinds["post"].score, kinds["post"].max_score) or 0.0,
            )
        )
    return scores
