"""`civharm import kobo`: store KoBo/ODK submissions as interviews or incident reports.

Idempotent on the submission UUID: a submission re-sent ten times, or an export imported
again, is one record. Interviews go through record_interview; incident reports through the
register's import pipeline (source type « kobo »). Never writes an answer in a message or log.
"""

from __future__ import annotations

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
from civharm.ingest.kobo import (
    FormKind,
    InterviewAnswers,
    KoboExport,
    KoboSubmission,
    incident_record,
    interview_answers,
    read_kobo,
)
from civharm.ingest.pipeline import complete_places
from civharm.ingest.records import RowError, SourceRecord
from civharm.research.attachments import store_attachment
from civharm.research.models import Interview
from civharm.research.services import InterviewInput, record_interview_once

DEFAULT_SOURCE = "KoboToolbox/ODK"
ATTACHMENT_FOLDERS = ("attachments", "media")


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
    outcome = ImportOutcome(run_id=run.pk, source=source.name, duplicates=export.resent)
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
    outcome.error_report = write_error_report(run, outcome.errors)
    _finish_run(run, outcome, actor)
    return outcome


# -- interviews ---------------------------------------------------------------------------


def _import_interviews(export: KoboExport, path: Path, outcome: ImportOutcome, actor: str) -> None:
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    for submission in export.submissions:
        if Interview.objects.filter(submission_uuid=submission.uuid).exists():
            outcome.duplicates += 1  # before checking answers: a withdrawn one stays withdrawn
            continue
        answers = interview_answers(submission, export.label)
        if isinstance(answers, RowError):
            outcome.errors.append(answers)
            continue
        interview, created = record_interview_once(
            _interview_input(answers, gazetteer), actor=actor
        )
        if not created:
            outcome.duplicates += 1
            continue
        outcome.imported += 1
        for file in _attachment_files(path, submission):
            store_attachment(
                file, actor=actor, interview=interview, submission_uuid=submission.uuid
            )


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
    )


# -- incident reports ---------------------------------------------------------------------


def _import_incidents(
    export: KoboExport, path: Path, run: ImportRun, outcome: ImportOutcome, actor: str
) -> None:
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    ids = RecordIds()
    records: list[SourceRecord] = []
    for submission in export.submissions:
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
    _store_report_attachments(export.submissions, path, run.source, actor)


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
        files = _attachment_files(path, submission)
        if not files:
            continue
        report = Report.objects.filter(source=source, record_id=submission.uuid).first()
        if report is None:
            continue
        for file in files:
            store_attachment(file, actor=actor, report=report, submission_uuid=submission.uuid)


# -- attachments next to the export -------------------------------------------------------


def _attachment_files(export_path: Path, submission: KoboSubmission) -> list[Path]:
    """The files a submission names, looked for next to the export: attachments/<uuid>/name,
    attachments/name, media/name or name. Names are base names only (see ingest.kobo)."""
    folder = export_path.parent
    found: list[Path] = []
    for name in submission.attachments:
        candidates = [folder / sub / submission.uuid / name for sub in ATTACHMENT_FOLDERS]
        candidates += [folder / sub / name for sub in ATTACHMENT_FOLDERS] + [folder / name]
        existing = next((c for c in candidates if c.is_file()), None)
        if existing is None:
            submission.warnings.append(
                _("attachment {name} was not found next to the export").format(name=name[:60])
            )
        else:
            found.append(existing)
    return found
