"""Import a source file into the register: read (ingest), then write in atomic batches.

Idempotent on (source, record id): re-running after a crash or on the same file adds only
what is missing. Row errors are reported, never fatal; they never contain names.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civharm.accounts import audit
from civharm.core.hashing import canonical_json, file_sha256
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import ImportRun, Source
from civharm.incidents.services.records import write_event_batch, write_victim_batch
from civharm.ingest.records import RowError, SourceRecord

DEFAULT_SOURCES: dict[str, tuple[str, str, str]] = {
    # format: (source name, source type, reliability)
    "acled": ("ACLED", "dataset", "B"),
    "ucdp": ("UCDP GED", "dataset", "B"),
}
ProgressCallback = Callable[[int], None]


@dataclass
class ImportOutcome:
    run_id: int
    source: str
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_report: Path | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }


def resolve_source(fmt: str, path: Path, name: str | None, source_type: str | None) -> Source:
    """The Source a file belongs to: named on the command line, or the format's default."""
    default_name, default_type, reliability = DEFAULT_SOURCES.get(fmt, (path.stem, "ngo", "F"))
    chosen_type = source_type or default_type
    taxonomy = load_taxonomy(settings.CIVHARM["COUNTRY_PACK"])
    if chosen_type not in taxonomy.keys("source_types"):
        raise ValueError(f"unknown source type {chosen_type!r}")
    source, _created = Source.objects.get_or_create(
        name=name or default_name,
        defaults={
            "source_type": chosen_type,
            "reliability": reliability,
            "personal_data": chosen_type in taxonomy.personal_data_source_types,
        },
    )
    return source


def _batched(items: Iterable[SourceRecord], size: int) -> Iterator[list[SourceRecord]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _records_only(
    items: Iterable[SourceRecord | RowError], outcome: ImportOutcome
) -> Iterator[SourceRecord]:
    for item in items:
        outcome.rows_read += 1
        if isinstance(item, RowError):
            outcome.errors.append(item)
        else:
            yield item


def import_records(
    items: Iterable[SourceRecord | RowError],
    run: ImportRun,
    *,
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Write records in atomic batches; a crash loses at most the batch being written."""
    outcome = ImportOutcome(run_id=run.pk, source=run.source.name)
    size = batch_size or settings.CIVHARM["IMPORT_BATCH_SIZE"]
    for batch in _batched(_records_only(items, outcome), size):
        with transaction.atomic():
            events = [r for r in batch if r.kind == "event"]
            victims = [r for r in batch if r.kind == "victim"]
            written = write_event_batch(run, events) + write_victim_batch(run, victims)
        outcome.imported += written
        outcome.duplicates += len(batch) - written
        if progress:
            progress(len(batch))
    return outcome


def import_file(
    path: Path,
    fmt: str,
    *,
    source_name: str | None = None,
    source_type: str | None = None,
    columns: dict[str, str] | None = None,
    actor: str = "cli",
    progress: ProgressCallback | None = None,
    batch_size: int | None = None,
) -> ImportOutcome:
    """Read `path` with the `fmt` reader and write it to the register. Raises UnreadableFile."""
    from civharm.core.gazetteer import Gazetteer
    from civharm.ingest.pipeline import read_source

    path = Path(path)
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    items = read_source(fmt, path, columns=columns, gazetteer=gazetteer)
    source = resolve_source(fmt, path, source_name, source_type)
    run = ImportRun.objects.create(
        source=source,
        source_format=fmt,
        file_name=path.name,
        file_sha256=file_sha256(str(path)),
        started_by=actor,
    )
    try:
        outcome = import_records(items, run, batch_size=batch_size, progress=progress)
    except BaseException:
        ImportRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
        raise
    outcome.error_report = write_error_report(run, outcome.errors)
    _finish_run(run, outcome, actor)
    return outcome


def _finish_run(run: ImportRun, outcome: ImportOutcome, actor: str) -> None:
    with transaction.atomic():
        ImportRun.objects.filter(pk=run.pk).update(
            status="complete",
            finished_at=timezone.now(),
            rows_read=outcome.rows_read,
            imported=outcome.imported,
            duplicates=outcome.duplicates,
            errors=len(outcome.errors),
            error_report=str(outcome.error_report or ""),
        )
        audit.record(
            actor,
            "import",
            "ImportRun",
            run.pk,
            details={
                "source": run.source.name,
                "format": run.source_format,
                "file": run.file_name,
                "imported": outcome.imported,
                "duplicates": outcome.duplicates,
                "errors": len(outcome.errors),
            },
        )


def write_error_report(run: ImportRun, errors: list[RowError]) -> Path | None:
    """A CSV of rejected rows next to the data (file, row, column, message), or None if clean."""
    if not errors:
        return None
    folder = Path(settings.DATA_DIR) / "import-errors"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    report = folder / f"{stamp}-run{run.pk}-{Path(run.file_name).stem}-errors.csv"
    with open(report, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "row", "column", "message"])
        for error in errors:
            writer.writerow([error.file, error.row, error.column or "", error.message])
    os.chmod(report, 0o600)
    return report


def payload_text(record: SourceRecord, encrypt: bool) -> str:
    """The original row as stored: JSON, encrypted when the source holds personal data."""
    from civharm.incidents.protection import field_cipher

    text = canonical_json(record.payload)
    return field_cipher().encrypt(text) if encrypt else text


def decode_payload(text: str, encrypted: bool) -> dict[str, str]:
    from civharm.incidents.protection import field_cipher

    return json.loads(field_cipher().decrypt(text) if encrypted else text)
