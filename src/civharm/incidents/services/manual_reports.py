"""File one report typed into the web form, through the same reader and writer as imports.

The submitted form data is the report's original payload (encrypted when the source holds
personal data). Never logs or returns the payload; the audit entry names fields only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civharm.accounts import audit
from civharm.core.gazetteer import Gazetteer
from civharm.core.hashing import payload_sha256
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import ImportRun, Incident, Report, Source
from civharm.incidents.services.records import write_event_batch
from civharm.ingest.fields import RecordIds
from civharm.ingest.incident_fields import EventFields, event_record
from civharm.ingest.pipeline import complete_places
from civharm.ingest.records import ActorMention, RowError, SourceRecord

SOURCE_FORMAT = "web"
DEFAULT_SOURCE_NAME = "Saisie web"
DEFAULT_SOURCE_TYPE = "interview"
FILE_LABEL = "web-entry"


class ManualReportError(ValueError):
    """The form data cannot become a report (the form should have caught it): a sentence."""


@dataclass
class ManualReport:
    """What the form gathered. `payload` holds our field names -> the text as typed."""

    payload: dict[str, str]
    perpetrators: list[str] = field(default_factory=list)  # actor taxonomy keys
    interaction_context: str = ""
    reliability: str = "F"
    credibility: str = "6"


@dataclass(frozen=True)
class FiledReport:
    report: Report
    incident: Incident
    created: bool  # False when the very same report was already filed (a double submit)


def web_entry_source(name: str, source_type: str) -> Source:
    """The Source web-entered reports go to (created on first use, typed as given)."""
    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    if source_type not in taxonomy.keys("source_types"):
        raise ManualReportError(f"unknown source type {source_type!r}")
    source, _created = Source.objects.get_or_create(
        name=name.strip() or DEFAULT_SOURCE_NAME,
        defaults={
            "source_type": source_type,
            "reliability": "F",
            "personal_data": source_type in taxonomy.personal_data_source_types,
        },
    )
    return source


def build_record(entry: ManualReport) -> SourceRecord:
    """The SourceRecord an import of this row would yield, places completed by the gazetteer."""
    payload = {key: value for key, value in entry.payload.items() if value}
    fields = EventFields({name: name for name in payload})
    found = event_record(SOURCE_FORMAT, FILE_LABEL, 1, payload, fields, RecordIds())
    if isinstance(found, RowError):
        raise ManualReportError(f"{found.column or 'row'}: {found.message}")
    found.record_id = f"sha256:{payload_sha256(payload)}"
    labels = dict(load_taxonomy().choices("actors"))
    found.actors = [ActorMention(name=labels.get(k, k), key=k) for k in entry.perpetrators]
    found.interaction_context = entry.interaction_context or found.interaction_context
    complete_places([found], Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"]))
    return found


def file_manual_report(entry: ManualReport, source: Source, *, actor: str) -> FiledReport:
    """Write the report, its incident, counts and perpetrators, and the audit entry, atomically."""
    record = build_record(entry)
    with transaction.atomic():
        existing = Report.objects.filter(source=source, record_id=record.record_id).first()
        if existing is not None and existing.incident is not None:
            return FiledReport(existing, existing.incident, created=False)
        run = ImportRun.objects.create(
            source=source,
            source_format=SOURCE_FORMAT,
            file_name=FILE_LABEL,
            file_sha256=record.payload_sha256,
            started_by=actor,
            status="complete",
            finished_at=timezone.now(),
            rows_read=1,
            imported=1,
        )
        write_event_batch(run, [record])
        report = Report.objects.select_related("incident").get(
            source=source, record_id=record.record_id
        )
        Report.objects.filter(pk=report.pk).update(
            reliability=entry.reliability, credibility=entry.credibility
        )
        audit.record(
            actor,
            "create",
            "Report",
            report.pk,
            fields=sorted(name for name, value in entry.payload.items() if value),
            reason="web entry",
            details={"incident": report.incident_id, "source": source.name},
        )
    report.refresh_from_db()
    assert report.incident is not None  # write_event_batch gives every event report one
    return FiledReport(report, report.incident, created=True)
