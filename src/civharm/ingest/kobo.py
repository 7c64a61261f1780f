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
from pathlib import Path
from typing import Literal

from civharm.core.i18n import _
from civharm.core.text import fold
from civharm.ingest.incident_fields import HARM_FIELDS
from civharm.ingest.records import RowError, UnreadableFile
from civharm.ingest.tables import Table, open_table

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
    "interviewee_pseudonym",
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
    "consent_audio",
    "audio",
)
# The form asks one count per harm type the incident importers know, in their order.
INCIDENT_HARM_FIELDS = {f"nb_{key}": key for key in HARM_FIELDS}
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
    "consent_audio",
    "audio",
)
# Questions that tell the two forms apart when --form is not given.
DISTINCTIVE = {
    "interview": {"consent_research", "narrative", "interviewee_name", "displacement_status"},
    "incident": {"incident_date", "reporter_consent", "nb_killed", "perpetrator"},
}
ATTACHMENT_FIELDS = ("photo", "audio")
UUID_HEADERS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "__id")
# An edit on the server gives a new instanceID and keeps the old one here (KoBo: also rootUuid).
EDIT_HEADERS = ("meta/deprecatedID", "deprecatedID", "meta/rootUuid", "rootUuid", "_rootUuid")
LANGUAGES = ("fr", "bm", "ff", "son", "tmh", "dgo", "other")
LEGAL_BASES = ("consent", "legitimate_interest", "vital_interest")
CONSENT_METHODS = ("oral_recorded", "oral_witnessed", "written", "digital")
DISPLACEMENT = ("resident", "displaced", "returnee", "refugee", "host", "unknown")
SEXES = ("female", "male", "unknown")
AGE_BANDS = ("0-17", "18-59", "60+", "unknown")
YES = {"yes", "oui", "1", "true", "vrai", "o", "y"}
# Answers that are the form's own keys: a message may name them without quoting anyone.
CHOICE_KEYS = {
    *YES, "no", "non", "false", *LANGUAGES, *LEGAL_BASES, *CONSENT_METHODS, *DISPLACEMENT,
    *SEXES, *AGE_BANDS,
}  # fmt: skip
_UUID_PREFIX = re.compile(r"^uuid:", re.IGNORECASE)
# Strict: a UUID names a folder of attachments, so it must never hold "/", "." or "..".
_UUID_SHAPE = re.compile(r"[0-9a-f-]{1,64}")
PSEUDONYM_SHAPE = re.compile(r"T-[0-9A-Z]{4,6}-[0-9A-Z]{4,6}")
MAX_JSON_DEPTH = 32  # ODK nests groups a few levels deep; far deeper is a broken or hostile file
# Column lengths of the database (PostgreSQL refuses longer text; SQLite would keep it).
PLACE_NAME_CHARS = 300
INTERVIEWER_CHARS = 150
PCODE_CHARS = 16
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
    earlier_uuids: list[str] = field(default_factory=list)  # deprecatedID, rootUuid (edits)

    @property
    def uuid_chain(self) -> list[str]:
        """This submission's UUID and those of the versions it replaced on the server."""
        return list(dict.fromkeys([self.uuid, *self.earlier_uuids]))

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
    if _looks_like_json(path):
        rows = list(_json_rows(path, label))
        headers = {h for item in rows if not isinstance(item, RowError) for h in item[1]}
    else:
        header, csv_rows = _csv_rows(path, label)
        rows, headers = list(csv_rows), set(header)
    chosen = form or _detect_form(headers, label)
    known = set(INTERVIEW_FIELDS if chosen == "interview" else INCIDENT_FIELDS)
    export = KoboExport(label, chosen, [], [])
    seen: dict[str, KoboSubmission] = {}  # every UUID of a chain -> the first copy kept
    for item in rows:
        if isinstance(item, RowError):
            export.errors.append(item)
            continue
        submission = _submission(chosen, known, label, *item)
        if isinstance(submission, RowError):
            export.errors.append(submission)
            continue
        first = next((seen[u] for u in submission.uuid_chain if u in seen), None)
        if first is None:
            export.submissions.append(submission)
            first = submission
        elif first.uuid == submission.uuid:
            export.resent += 1
            _warn_if_changed(first, submission)
        else:
            export.resent += 1
            first.warnings.append(
                _("row {row} is a later edit of this submission; the first copy is kept").format(
                    row=submission.row
                )
            )
        seen.update(dict.fromkeys(submission.uuid_chain, first))
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


def _csv_rows(path: Path, label: str) -> tuple[list[str], Iterator[Row | RowError]]:
    """The header (to tell the forms apart even when no row is readable) and the rows."""
    names = set(INTERVIEW_FIELDS) | set(INCIDENT_FIELDS) | set(UUID_HEADERS)
    table = open_table(
        path,
        header_test=lambda cells: sum(_question_name(c, names) is not None for c in cells) >= 2,
        expected=_("the questions of a civharm form and _uuid or meta/instanceID"),
        file_label=label,
    )
    return table.header, _table_rows(table)


def _table_rows(table: Table) -> Iterator[Row | RowError]:
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
    except RecursionError:
        raise UnreadableFile(_too_deep(label)) from None
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
        try:
            flat = dict(_flatten(submission))
        except _TooDeepError:
            yield RowError(label, number, None, _("the submission is nested too deeply to read"))
            continue
        yield number, flat, _json_attachments(submission)


class _TooDeepError(ValueError):
    """A JSON submission nested far deeper than any form's groups."""


def _too_deep(label: str) -> str:
    return _("The file « {label} » is nested too deeply to be a KoboToolbox or ODK export.").format(
        label=label
    )


def _submission_list(data: object) -> list[object] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("results", "value"):  # KoboToolbox API v2; ODK Central OData
            if isinstance(data.get(key), list):
                return data[key]
    return None


def _flatten(
    value: Mapping[str, object], prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, str]]:
    """ODK Central nests groups as objects; KoboToolbox already writes "group/question"."""
    if depth > MAX_JSON_DEPTH:
        raise _TooDeepError(prefix)
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from _flatten(item, f"{path}/", depth + 1)
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
    return [base_name(str(name)) for name in names if name]


def base_name(name: str) -> str:
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


def _detect_form(headers: set[str], label: str) -> FormKind:
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
    uuid, uuid_header, earlier = "", "_uuid", []
    for header, value in flat.items():
        if _question_name(header, set(UUID_HEADERS)) is not None:
            if not uuid and value.strip():
                uuid, uuid_header = _bare_uuid(value), header
            continue
        if _question_name(header, set(EDIT_HEADERS)) is not None and value.strip():
            earlier.append((header, _bare_uuid(value)))
            continue
        name = _question_name(header, known)
        if name is not None and name not in answers and value.strip():
            answers[name], headers[name] = value.strip(), header
    problem = _uuid_problem(uuid, uuid_header, earlier)
    if problem is not None:
        return RowError(label, number, *problem)
    named = [base_name(answers[q]) for q in ATTACHMENT_FIELDS if answers.get(q)]
    files = list(dict.fromkeys([*named, *attachments]))
    submission = KoboSubmission(form, uuid, number, answers, headers, flat, files)
    submission.earlier_uuids = [found for _header, found in earlier if found != uuid]
    _drop_unconsented_recording(submission)
    return submission


def _drop_unconsented_recording(submission: KoboSubmission) -> None:
    """A recording is kept only if the person agreed to it (a voice identifies a person)."""
    audio = base_name(submission.answer("audio"))
    if not audio or is_yes(submission.answer("consent_audio")):
        return
    submission.attachments = [name for name in submission.attachments if name != audio]
    submission.warnings.append(
        _("the recording was left out: consent to recording the voice was not given")
    )


def _bare_uuid(value: str) -> str:
    return _UUID_PREFIX.sub("", value.strip()).lower()


def _uuid_problem(
    uuid: str, uuid_header: str, earlier: list[tuple[str, str]]
) -> tuple[str, str] | None:
    """(column, message) when the submission's UUIDs cannot be trusted, else None.

    The UUID names the attachments' folder: only hexadecimal digits and dashes are accepted.
    """
    if not uuid:
        return uuid_header, _(
            "the submission has no _uuid or meta/instanceID; it cannot be "
            "told apart from a re-sent copy"
        )
    for header, value in [(uuid_header, uuid), *earlier]:
        if not _UUID_SHAPE.fullmatch(value):
            return header, _(
                "this is not a submission UUID (hexadecimal digits and dashes, at most 64)"
            )
    return None


def is_yes(text: str) -> bool:
    return fold(text) in YES
