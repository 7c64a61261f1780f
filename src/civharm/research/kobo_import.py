"""`civharm import kobo`: store KoBo/ODK submissions as interviews or incident reports.

Idempotent on the submission UUID: a submission re-sent ten times, or an export imported
again, is one record. Interviews go through record_interview; incident reports through the
register's import pipeline (source type « kobo »). Never writes an answer in a message or log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.core.gazetteer import Gazetteer
from civharm.core.hashing import file_sha256
from civharm.incidents.models import ImportRun, Report, Source
from civharm.incidents.services.importing import (
    ImportOutcome,
    _finish_run,
    import_records,
    register_record_ids,
    resolve_source,
    write_error_report,
)
from civharm.ingest.fields import RecordIds
from civharm.ingest.kobo import FormKind, KoboExport, KoboSubmission, base_name, read_kobo
from civharm.ingest.kobo_answers import (
    InterviewAnswers,
    incident_record,
    interview_answers,
    without_answers,
)
from civharm.ingest.pipeline import complete_places
from civharm.ingest.records import RowError, SourceRecord
from civharm.research.attachments import store_attachment
from civharm.research.errors import ResearchError
from civharm.research.models import Consent, Interview
from civharm.research.services import InterviewInput, record_interview_once

DEFAULT_SOURCE = "KoboToolbox/ODK"
ATTACHMENT_FOLDERS = ("attachments", "media")


@dataclass
class KoboOutcome(ImportOutcome):
    """An import's outcome plus the interview submissions' warnings (file, row, message)."""

    warnings: list[RowError] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        summary = ImportOutcome.as_json(self)
        summary["warnings"] = [
            {"row": w.row, "column": w.column, "message": w.message} for w in self.warnings
        ]
        return summary


def import_kobo(
    path: Path,
    *,
    form: FormKind | None = None,
    source_name: str | None = None,
    actor: str = "cli",
) -> ImportOutcome:
    """Import a KoBo/ODK export; raises UnreadableFile when it is not one of our forms."""
    path = Path(path)
    export = read_kobo(path, form=form)
    source = resolve_source("kobo", path, source_name or DEFAULT_SOURCE, "kobo")
    run = ImportRun.objects.create(
        source=source,
        source_format=f"kobo-{export.form}",
        file_name=path.name,
        file_sha256=file_sha256(str(path)),
        started_by=actor,
    )
    outcome = KoboOutcome(run_id=run.pk, source=source.name, duplicates=export.resent)
    outcome.rows_read = len(export.submissions) + export.resent + len(export.errors)
    outcome.errors.extend(export.errors)
    try:
        if export.form == "interview":
            _import_interviews(export, path, outcome, actor)
        else:
            _import_incidents(export, path, run, outcome, actor)
    except BaseException:
        ImportRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
        raise
    outcome.errors.sort(key=lambda error: error.row)
    outcome.warnings.sort(key=lambda warning: warning.row)
    outcome.error_report = write_error_report(run, [*outcome.errors, *_as_rows(outcome.warnings)])
    _finish_run(run, outcome, actor)
    return outcome


def _as_rows(warnings: list[RowError]) -> list[RowError]:
    """Warnings in the report file, marked as such (the row was imported)."""
    return [
        RowError(w.file, w.row, w.column, _("warning: {message}").format(message=w.message))
        for w in warnings
    ]


# -- interviews ---------------------------------------------------------------------------


def _import_interviews(export: KoboExport, path: Path, outcome: KoboOutcome, actor: str) -> None:
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    for submission in export.submissions:
        rejected_before = len(outcome.errors)
        _import_interview(submission, export.label, path, gazetteer, outcome, actor)
        if len(outcome.errors) > rejected_before:
            continue  # the row's error says enough; nothing of it was kept
        outcome.warnings.extend(
            without_answers(RowError(export.label, submission.row, None, message), submission)
            for message in submission.warnings
        )


def _import_interview(
    submission: KoboSubmission,
    label: str,
    path: Path,
    gazetteer: Gazetteer,
    outcome: KoboOutcome,
    actor: str,
) -> None:
    seen = _interview_seen(submission)
    if seen is not None:  # before checking answers: a withdrawn one stays withdrawn
        outcome.duplicates += 1
        if seen.submission_uuid == submission.uuid:
            _store_missing_attachments(seen, path, submission, actor)
        else:
            submission.warnings.append(
                _("edited on the server after it was imported; the first copy is kept")
            )
        return
    answers = interview_answers(submission, label)
    if isinstance(answers, RowError):
        outcome.errors.append(without_answers(answers, submission))
        return
    try:
        interview, created = record_interview_once(
            _interview_input(answers, gazetteer), actor=actor
        )
    except ResearchError as exc:  # a follow-up naming an unknown or withdrawn pseudonym
        column = (
            submission.column("interviewee_pseudonym") if answers.interviewee_pseudonym else None
        )
        outcome.errors.append(RowError(label, submission.row, column, str(exc)))
        return
    if not created:
        outcome.duplicates += 1
        return
    outcome.imported += 1
    for file in _attachment_files(path, answers.attachments, submission):
        store_attachment(file, actor=actor, interview=interview, submission_uuid=submission.uuid)


def _interview_seen(submission: KoboSubmission) -> Interview | None:
    """The interview already made from this submission or from a version it replaced."""
    return (
        Interview.objects.select_related("interviewee")
        .filter(submission_uuid__in=submission.uuid_chain)
        .order_by("pk")
        .first()
    )


def _store_missing_attachments(
    interview: Interview, path: Path, submission: KoboSubmission, actor: str
) -> None:
    """Files missing at the first import may be there now; never for a withdrawn interview."""
    consent = Consent.objects.filter(interview=interview).first()
    withdrawn = consent is None or consent.withdrawn_at is not None
    if withdrawn or interview.interviewee.withdrawn_at is not None:
        return
    for file in _attachment_files(path, submission.attachments, submission):
        store_attachment(file, actor=actor, interview=interview, submission_uuid=submission.uuid)


def _interview_input(answers: InterviewAnswers, gazetteer: Gazetteer) -> InterviewInput:
    region = gazetteer.find_admin(answers.admin1_pcode, 1) if answers.admin1_pcode else None
    cercle = gazetteer.find_admin(answers.admin2_pcode, 2) if answers.admin2_pcode else None
    return InterviewInput(
        interviewed_on=answers.interviewed_on,
        interviewer=answers.interviewer,
        language=answers.language,
        place_name=answers.place_name,
        admin1_pcode=region[0] if region else "",
        admin1_name=region[1] if region else "",
        admin2_pcode=cercle[0] if cercle else "",
        admin2_name=cercle[1] if cercle else "",
        name=answers.interviewee_name,
        contact=answers.interviewee_contact,
        community=answers.community,
        sex=answers.sex,
        age_band=answers.age_band,
        displacement_status=answers.displacement_status,
        narrative=answers.narrative,
        harms=answers.harms,
        legal_basis=answers.legal_basis,
        consent_method=answers.consent_method,
        for_research=answers.for_research,
        for_publication=answers.for_publication,
        for_sharing=answers.for_sharing,
        submission_uuid=answers.submission_uuid,
        interviewee_pseudonym=answers.interviewee_pseudonym,
    )


# -- incident reports ---------------------------------------------------------------------


def _import_incidents(
    export: KoboExport, path: Path, run: ImportRun, outcome: KoboOutcome, actor: str
) -> None:
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    ids = RecordIds()
    records: list[SourceRecord] = []
    for submission in _not_edits_of_stored_reports(export, run.source, outcome):
        record = incident_record(submission, export.label, ids)
        if isinstance(record, RowError):
            outcome.errors.append(record)
        else:
            _name_admin_units(record, gazetteer)
            records.append(record)
    complete_places(records, gazetteer)
    written = import_records(register_record_ids(records), run, in_background=False)
    outcome.imported += written.imported
    outcome.duplicates += written.duplicates
    outcome.errors.extend(written.errors)
    already_told = {submission.uuid: len(submission.warnings) for submission in export.submissions}
    _store_report_attachments(export.submissions, path, run.source, actor)
    outcome.warnings.extend(  # the register keeps the others with the report
        without_answers(RowError(export.label, submission.row, None, message), submission)
        for submission in export.submissions
        for message in submission.warnings[already_told[submission.uuid] :]
    )


def _not_edits_of_stored_reports(
    export: KoboExport, source: Source, outcome: KoboOutcome
) -> list[KoboSubmission]:
    """Submissions whose earlier version (edited on the server) is not already a report."""
    kept = []
    for submission in export.submissions:
        earlier = [uuid for uuid in submission.earlier_uuids if uuid != submission.uuid]
        stored = Report.objects.filter(source=source, record_id__in=earlier).exists()
        stored = (
            stored and not Report.objects.filter(source=source, record_id=submission.uuid).exists()
        )
        if not stored:
            kept.append(submission)
            continue
        outcome.duplicates += 1
        outcome.warnings.append(
            RowError(
                export.label,
                submission.row,
                None,
                _("edited on the server after it was imported; the first copy is kept"),
            )
        )
    return kept


def _name_admin_units(record: SourceRecord, gazetteer: Gazetteer) -> None:
    """Our forms answer regions and cercles by P-code; the register also keeps their names."""
    place = record.place
    for level, pcode in ((1, place.admin1_pcode), (2, place.admin2_pcode)):
        found = gazetteer.find_admin(pcode, level) if pcode else None
        if found is None:
            continue
        if level == 1:
            place.admin1_pcode, place.admin1 = found
        else:
            place.admin2_pcode, place.admin2 = found


def _store_report_attachments(
    submissions: list[KoboSubmission], path: Path, source: Source, actor: str
) -> None:
    for submission in submissions:
        report = Report.objects.filter(source=source, record_id=submission.uuid).first()
        if report is None or not submission.attachments:
            continue
        for file in _attachment_files(path, submission.attachments, submission):
            store_attachment(file, actor=actor, report=report, submission_uuid=submission.uuid)


# -- attachments next to the export -------------------------------------------------------


def _attachment_files(
    export_path: Path, names: list[str], submission: KoboSubmission
) -> list[Path]:
    """The files a submission names, looked for next to the export: attachments/<uuid>/name,
    attachments/name, media/name or name. Names are base names only (see ingest.kobo) and
    the UUID is checked there; a path that still resolves outside the export's folder (a
    symbolic link, say) is never read."""
    folder = export_path.parent.resolve()
    found: list[Path] = []
    for name in names:
        candidates = [folder / sub / submission.uuid / name for sub in ATTACHMENT_FOLDERS]
        candidates += [folder / sub / name for sub in ATTACHMENT_FOLDERS] + [folder / name]
        existing = next((c for c in candidates if _inside(c, folder) and c.is_file()), None)
        if existing is None:
            submission.warnings.append(
                _("the attachment « {column} » was not found next to the export").format(
                    column=_attachment_column(submission, name)
                )
            )
        else:
            found.append(existing.resolve())
    return found


def _inside(candidate: Path, folder: Path) -> bool:
    try:
        return candidate.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a loop of symbolic links
        return False


def _attachment_column(submission: KoboSubmission, name: str) -> str:
    """The column that named the file (never the file's name: a phone may name it after a
    person); "_attachments" for files listed only in the JSON attachment list."""
    for question in ("photo", "audio"):
        if base_name(submission.answer(question)) == name:
            return submission.column(question)
    return "_attachments"
