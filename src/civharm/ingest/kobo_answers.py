"""The answers of one KoBo/ODK submission, checked: an interview (identities, consent, the
narrative) or an incident report (a SourceRecord for the register's pipeline).

Pure Python, no Django. Holds identities and narratives: never log what it returns, and
never put an answer in a message (`without_answers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from civharm.core.i18n import _
from civharm.core.taxonomy import load_taxonomy
from civharm.ingest.dates import DateParseError, parse_date
from civharm.ingest.fields import RecordIds, precision_from_place
from civharm.ingest.incident_fields import EventFields, event_record
from civharm.ingest.kobo import (
    AGE_BANDS,
    CHOICE_KEYS,
    CONSENT_METHODS,
    DISPLACEMENT,
    FORMAT,
    INCIDENT_HARM_FIELDS,
    INTERVIEWER_CHARS,
    LANGUAGES,
    LEGAL_BASES,
    PCODE_CHARS,
    PLACE_NAME_CHARS,
    PSEUDONYM_SHAPE,
    SEXES,
    KoboSubmission,
    is_yes,
)
from civharm.ingest.records import ActorMention, RowError, SourceRecord

# -- interviews ---------------------------------------------------------------------------


@dataclass(slots=True)
class InterviewAnswers:
    """An interview submission, checked. Holds identities and a narrative: never log it."""

    submission_uuid: str
    interviewee_pseudonym: str  # a follow-up interview with someone already interviewed
    interviewed_on: date
    interviewer: str
    language: str
    admin1_pcode: str
    admin2_pcode: str
    place_name: str
    interviewee_name: str
    interviewee_contact: str
    community: str
    sex: str
    age_band: str
    displacement_status: str
    narrative: str
    harms: list[str]
    themes: list[str]
    legal_basis: str
    consent_method: str
    for_research: bool
    for_publication: bool
    for_sharing: bool
    attachments: list[str]


def interview_answers(submission: KoboSubmission, label: str) -> InterviewAnswers | RowError:
    """The checked answers of an interview submission, or the first problem as a RowError."""

    def problem(name: str, message: str) -> RowError:
        return RowError(label, submission.row, submission.column(name), message)

    if not is_yes(submission.answer("consent_research")):
        return problem(
            "consent_research",
            _("consent for research was not given: the interview is not recorded"),
        )
    try:
        interviewed_on = parse_date(submission.answer("interview_date")).start
    except DateParseError:
        # Never str(exc): it quotes the cell, and a shifted column may hold a name.
        return problem("interview_date", _("the answer is not a date we can read"))
    pseudonym = submission.answer("interviewee_pseudonym").upper()
    if pseudonym and not PSEUDONYM_SHAPE.fullmatch(pseudonym):
        return problem(
            "interviewee_pseudonym", _("the answer is not a pseudonym such as T-7K3QX-9P2MA")
        )
    choices = {
        "language": LANGUAGES,
        "legal_basis": LEGAL_BASES,
        "consent_method": CONSENT_METHODS,
        "sex": SEXES,
        "age_band": AGE_BANDS,
        "displacement_status": DISPLACEMENT,
    }
    defaults = {
        "language": "other",
        "legal_basis": "consent",
        "consent_method": "oral_witnessed",
        "sex": "unknown",
        "age_band": "unknown",
        "displacement_status": "unknown",
    }
    chosen: dict[str, str] = {}
    for name, allowed in choices.items():
        value = submission.answer(name) or defaults[name]
        if value not in allowed:
            return problem(  # the answer itself is never quoted (it may be a shifted name)
                name,
                _("the answer is not one of: {allowed}").format(allowed=", ".join(allowed)),
            )
        chosen[name] = value
    chosen["interviewee_pseudonym"] = pseudonym
    return _interview(submission, interviewed_on, chosen)


def _interview(submission: KoboSubmission, on: date, chosen: dict[str, str]) -> InterviewAnswers:
    harm_keys = set(load_taxonomy().keys("harm_types"))
    harms = submission.answer("harms").split()
    unknown = [h for h in harms if h not in harm_keys]
    if unknown:
        submission.warnings.append(
            _("harm types not in the taxonomy were left out ({count})").format(count=len(unknown))
        )
    return InterviewAnswers(
        submission_uuid=submission.uuid,
        interviewee_pseudonym=chosen["interviewee_pseudonym"],
        interviewed_on=on,
        interviewer=submission.answer("interviewer")[:INTERVIEWER_CHARS],
        language=chosen["language"],
        admin1_pcode=submission.answer("admin1")[:PCODE_CHARS],
        admin2_pcode=submission.answer("admin2")[:PCODE_CHARS],
        place_name=submission.answer("place_name")[:PLACE_NAME_CHARS],
        interviewee_name=submission.answer("interviewee_name"),
        interviewee_contact=submission.answer("interviewee_contact"),
        community=submission.answer("community"),
        sex=chosen["sex"],
        age_band="" if chosen["age_band"] == "unknown" else chosen["age_band"],
        displacement_status=chosen["displacement_status"],
        narrative=submission.answer("narrative"),
        harms=[h for h in harms if h in harm_keys],
        themes=submission.answer("themes").split(),
        legal_basis=chosen["legal_basis"],
        consent_method=chosen["consent_method"],
        for_research=True,
        for_publication=is_yes(submission.answer("consent_publication")),
        for_sharing=is_yes(submission.answer("consent_sharing")),
        attachments=list(submission.attachments),
    )


def without_answers(error: RowError, submission: KoboSubmission) -> RowError:
    """The error, or a neutral one if its message quotes any answer of the submission.

    Messages from shared readers may quote a cell; a shifted column can put a name there.
    """
    quoted = any(
        len(value) >= 3 and value not in CHOICE_KEYS and value in error.message
        for value in submission.payload.values()
    )
    if not quoted:
        return error
    return RowError(
        error.file, error.row, error.column, _("the answer in this column is not valid")
    )


# -- incident reports ---------------------------------------------------------------------

EVENT_QUESTIONS = {
    "date": "incident_date",
    "date_precision": "date_precision",
    "place": "place_name",
    "admin1_pcode": "admin1",
    "admin2_pcode": "admin2",
    "description": "description",
    **{v: k for k, v in INCIDENT_HARM_FIELDS.items()},
}


def incident_record(
    submission: KoboSubmission, label: str, ids: RecordIds | None = None
) -> SourceRecord | RowError:
    """An incident-report submission as the register's SourceRecord (record id = its UUID)."""
    if not is_yes(submission.answer("reporter_consent")):
        return RowError(
            label,
            submission.row,
            submission.column("reporter_consent"),
            _("the reporter did not agree to the report being recorded"),
        )
    columns = {
        ours: submission.column(question)
        for ours, question in EVENT_QUESTIONS.items()
        if question in submission.answers
    }
    columns["id"] = "_civharm_uuid"
    payload = {**submission.payload, "_civharm_uuid": submission.uuid}
    record = event_record(
        FORMAT, label, submission.row, payload, EventFields(columns), ids or RecordIds()
    )
    if isinstance(record, RowError):
        return without_answers(record, submission)
    _set_location(record, submission.answer("location"))
    _set_taxonomy_answers(record, submission)
    record.warnings.extend(submission.warnings)
    return record


def _set_location(record: SourceRecord, geopoint: str) -> None:
    """An ODK geopoint is "latitude longitude altitude accuracy"."""
    parts = geopoint.split()
    if len(parts) < 2:
        return
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        record.warnings.append(_("the location is not a geopoint; it was left out"))
        return
    if -90 <= latitude <= 90 and -180 <= longitude <= 180 and (latitude, longitude) != (0, 0):
        record.place.latitude, record.place.longitude = latitude, longitude
        record.place.precision = precision_from_place(record.place)


def _set_taxonomy_answers(record: SourceRecord, submission: KoboSubmission) -> None:
    """Our forms answer with taxonomy keys: take them as they are, not as free text."""
    taxonomy = load_taxonomy()
    context = submission.answer("context")
    if context in taxonomy.keys("interaction_contexts"):
        record.interaction_context = context
    actor_labels = dict(taxonomy.choices("actors"))
    for key in submission.answer("perpetrator").split():
        if key in actor_labels:
            record.actors.append(ActorMention(name=actor_labels[key], key=key))
