"""Read KoboToolbox and ODK Central submission exports (CSV or JSON) made with our XLSForms.

One normalised KoboSubmission per submission UUID: copies re-sent from the field (offline
phones send again until they hear back) are counted, never repeated. Pure Python, no Django;
messages name the file, row and column, never an answer (answers may name people).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from civharm.core.i18n import _
from civharm.core.taxonomy import load_taxonomy
from civharm.core.text import fold
from civharm.ingest.dates import DateParseError, parse_date
from civharm.ingest.fields import RecordIds, precision_from_place
from civharm.ingest.incident_fields import EventFields, event_record
from civharm.ingest.records import ActorMention, RowError, SourceRecord, UnreadableFile
from civharm.ingest.tables import open_table

FORMAT = "kobo"
FormKind = Literal["interview", "incident"]

# The question names of our two XLSForms (civharm.research.xlsforms builds the forms from these).
CONSENT_FIELDS = (
    "consent_research",
    "legal_basis",
    "consent_method",
    "consent_publication",
    "consent_sharing",
)
INTERVIEW_FIELDS = (
    *CONSENT_FIELDS,
    "interviewer",
    "interview_date",
    "language",
    "admin1",
    "admin2",
    "place_name",
    "interviewee_name",
    "interviewee_contact",
    "community",
    "sex",
    "age_band",
    "displacement_status",
    "harms",
    "themes",
    "narrative",
    "photo",
    "audio",
)
INCIDENT_HARM_FIELDS = {
    f"nb_{key}": key
    for key in (
        "killed",
        "injured",
        "abducted",
        "sexual_violence",
        "arbitrary_detention",
        "displaced_households",
        "property_destroyed",
        "livestock_crops_lost",
    )
}
INCIDENT_FIELDS = (
    "reporter_consent",
    "incident_date",
    "date_precision",
    "admin1",
    "admin2",
    "place_name",
    "location",
    "context",
    "perpetrator",
    *INCIDENT_HARM_FIELDS,
    "description",
    "photo",
    "audio",
)
# Questions that tell the two forms apart when --form is not given.
DISTINCTIVE = {
    "interview": {"consent_research", "narrative", "interviewee_name", "displacement_status"},
    "incident": {"incident_date", "reporter_consent", "nb_killed", "perpetrator"},
}
ATTACHMENT_FIELDS = ("photo", "audio")
UUID_HEADERS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "__id")
LANGUAGES = ("fr", "bm", "ff", "son", "tmh", "dgo", "other")
LEGAL_BASES = ("consent", "legitimate_interest", "vital_interest")
CONSENT_METHODS = ("oral_recorded", "oral_witnessed", "written", "digital")
DISPLACEMENT = ("resident", "displaced", "returnee", "refugee", "host", "unknown")
SEXES = ("female", "male", "unknown")
AGE_BANDS = ("0-17", "18-59", "60+", "unknown")
YES = {"yes", "oui", "1", "true", "vrai", "o", "y"}
_UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)
_SEPARATORS = re.compile(r"[/.:-]")


@dataclass(slots=True)
class KoboSubmission:
    """One submission: answers keyed by our question names; `payload` is the row as read."""

    form: FormKind
    uuid: str
    row: int
    answers: dict[str, str]
    headers: dict[str, str]  # our question name -> the export's header or JSON path
    payload: dict[str, str]
    attachments: list[str] = field(default_factory=list)  # file names only, never paths
    warnings: list[str] = field(default_factory=list)

    def answer(self, name: str) -> str:
        return self.answers.get(name, "")

    def column(self, name: str) -> str:
        return self.headers.get(name, name)


@dataclass(slots=True)
class KoboExport:
    """What one export file holds: unique submissions, rejected rows, re-sent copies skipped."""

    label: str
    form: FormKind
    submissions: list[KoboSubmission]
    errors: list[RowError]
    resent: int = 0


def read_kobo(
    path: str | Path, *, form: FormKind | None = None, file_label: str | None = None
) -> KoboExport:
    """Submissions of a CSV or JSON export; the form is detected from the questions if not given.

    Raises UnreadableFile when the file is not an export of one of our forms.
    """
    path = Path(path)
    label = file_label or path.name
    rows = list(_json_rows(path, label) if _looks_like_json(path) else _csv_rows(path, label))
    chosen = form or _detect_form(rows, label)
    known = set(INTERVIEW_FIELDS if chosen == "interview" else INCIDENT_FIELDS)
    export = KoboExport(label, chosen, [], [])
    seen: dict[str, KoboSubmission] = {}
    for item in rows:
        if isinstance(item, RowError):
            export.errors.append(item)
            continue
        submission = _submission(chosen, known, label, *item)
        if isinstance(submission, RowError):
            export.errors.append(submission)
        elif submission.uuid in seen:
            export.resent += 1
            _warn_if_changed(seen[submission.uuid], submission)
        else:
            seen[submission.uuid] = submission
            export.submissions.append(submission)
    return export


def _warn_if_changed(first: KoboSubmission, again: KoboSubmission) -> None:
    if first.answers != again.answers:
        first.warnings.append(
            _(
                "row {row} re-sent this submission with other answers; the first copy is kept"
            ).format(row=again.row)
        )


# -- reading files ------------------------------------------------------------------------


def _looks_like_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    return head[:1] in (b"{", b"[")


Row = tuple[int, dict[str, str], list[str]]  # (row number, flat answers, attachment names)


def _csv_rows(path: Path, label: str) -> Iterator[Row | RowError]:
    names = set(INTERVIEW_FIELDS) | set(INCIDENT_FIELDS) | set(UUID_HEADERS)
    table = open_table(
        path,
        header_test=lambda cells: sum(_question_name(c, names) is not None for c in cells) >= 2,
        expected=_("the questions of a civharm form and _uuid or meta/instanceID"),
        file_label=label,
    )
    for item in table.rows():
        if isinstance(item, RowError):
            yield item
        else:
            yield item[0], item[1], []


def _json_rows(path: Path, label: str) -> Iterator[Row | RowError]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFile(
            _("The file « {label} » is not valid JSON (line {line}).").format(
                label=label, line=getattr(exc, "lineno", 1)
            )
        ) from None
    submissions = _submission_list(data)
    if submissions is None:
        raise UnreadableFile(
            _(
                "The file « {label} » is not a KoboToolbox (« results ») or ODK Central "
                "(« value ») submission export."
            ).format(label=label)
        )
    for number, submission in enumerate(submissions, start=1):
        if not isinstance(submission, dict):
            yield RowError(label, number, None, _("the submission is not a JSON object"))
            continue
        yield number, dict(_flatten(submission)), _json_attachments(submission)


def _submission_list(data: object) -> list[object] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("results", "value"):  # KoboToolbox API v2; ODK Central OData
            if isinstance(data.get(key), list):
                return data[key]
    return None


def _flatten(value: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    """ODK Central nests groups as objects; KoboToolbox already writes "group/question"."""
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(item, f"{path}/")
        elif isinstance(item, list):
            if all(not isinstance(element, dict | list) for element in item):
                yield path, " ".join(str(element) for element in item)
        elif item is not None:
            yield path, str(item) if not isinstance(item, bool) else ("true" if item else "false")


def _json_attachments(submission: Mapping[str, object]) -> list[str]:
    found = submission.get("_attachments")
    if not isinstance(found, list):
        return []
    names = (a.get("filename") or a.get("name") for a in found if isinstance(a, dict))
    return [_base_name(str(name)) for name in names if name]


def _base_name(name: str) -> str:
    """Only the file's own name: an export must never make us read outside its folder."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip()


# -- one submission -----------------------------------------------------------------------


def _question_name(header: str, known: set[str]) -> str | None:
    """Our question name for an export header: "consent/for_research", "grp-q", "q" -> "q"."""
    header = header.strip()
    if header in known:
        return header
    for length in (2, 1):  # meta/instanceID first, then the last segment
        parts = _SEPARATORS.split(header)
        candidate = "/".join(parts[-length:]) if length == 2 else parts[-1]
        if candidate in known:
            return candidate
    return None


def _detect_form(rows: list[Row | RowError], label: str) -> FormKind:
    headers = {h for item in rows if not isinstance(item, RowError) for h in item[1]}
    scores = {
        form: sum(_question_name(h, names) is not None for h in headers)
        for form, names in DISTINCTIVE.items()
    }
    if not any(scores.values()):
        raise UnreadableFile(
            _(
                "The file « {label} » has none of the questions of the civharm interview or "
                "incident-report forms; give --form if its questions were renamed."
            ).format(label=label)
        )
    return "interview" if scores["interview"] >= scores["incident"] else "incident"


def _submission(
    form: FormKind,
    known: set[str],
    label: str,
    number: int,
    flat: dict[str, str],
    attachments: list[str],
) -> KoboSubmission | RowError:
    answers: dict[str, str] = {}
    headers: dict[str, str] = {}
    uuid = ""
    for header, value in flat.items():
        if _question_name(header, set(UUID_HEADERS)) is not None and not uuid:
            uuid = _UUID_PREFIX.sub("", value.strip()).lower()
            continue
        name = _question_name(header, known)
        if name is not None and name not in answers and value.strip():
            answers[name], headers[name] = value.strip(), header
    if not uuid:
        return RowError(
            label,
            number,
            "_uuid",
            _(
                "the submission has no _uuid or meta/instanceID; it cannot be "
                "told apart from a re-sent copy"
            ),
        )
    named = [_base_name(answers[q]) for q in ATTACHMENT_FIELDS if answers.get(q)]
    files = list(dict.fromkeys([*named, *attachments]))
    return KoboSubmission(form, uuid, number, answers, headers, flat, files)


# -- interviews ---------------------------------------------------------------------------


@dataclass(slots=True)
class InterviewAnswers:
    """An interview submission, checked. Holds identities and a narrative: never log it."""

    submission_uuid: str
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


def is_yes(text: str) -> bool:
    return fold(text) in YES


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
    except DateParseError as exc:
        return problem("interview_date", str(exc))
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
            return problem(
                name,
                _("« {value} » is not one of: {allowed}").format(
                    value=value[:40], allowed=", ".join(allowed)
                ),
            )
        chosen[name] = value
    return _interview(submission, interviewed_on, chosen)


def _interview(submission: KoboSubmission, on: date, chosen: dict[str, str]) -> InterviewAnswers:
    harm_keys = set(load_taxonomy().keys("harm_types"))
    harms = submission.answer("harms").split()
    unknown = [h for h in harms if h not in harm_keys]
    if unknown:
        submission.warnings.append(
            _("harm types not in the taxonomy were left out: {keys}").format(
                keys=", ".join(unknown)[:80]
            )
        )
    return InterviewAnswers(
        submission_uuid=submission.uuid,
        interviewed_on=on,
        interviewer=submission.answer("interviewer")[:150],
        language=chosen["language"],
        admin1_pcode=submission.answer("admin1"),
        admin2_pcode=submission.answer("admin2"),
        place_name=submission.answer("place_name"),
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
        return record
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
