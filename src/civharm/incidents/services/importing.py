"""Import a source file into the register: read (ingest), then write in atomic batches.

Idempotent on (source, record id): re-running after a crash or on the same file adds only
what is missing. Row errors are reported, never fatal; they never contain names.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from civharm.accounts import audit
from civharm.core.collector import collector_skips_what_exists
from civharm.core.hashing import file_sha256
from civharm.core.i18n import _
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import ImportRun, Source, VictimRecord
from civharm.incidents.services import bulk
from civharm.incidents.services.records import (
    PreparedEvents,
    prepare_events,
    write_prepared_events,
    write_victim_batch,
)
from civharm.ingest.background import can_fork, run_in_child
from civharm.ingest.pipeline import batched
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


@dataclass
class PreparedBatch:
    """One atomic batch as register rows, with the row errors read since the previous batch."""

    rows_read: int
    errors: list[RowError]
    events: PreparedEvents
    victims: list[SourceRecord]
    records: int  # events + victims: what the batch counts for progress and duplicates


class _Tally:
    def __init__(self) -> None:
        self.rows_read = 0
        self.errors: list[RowError] = []

    def records_only(self, items: Iterable[SourceRecord | RowError]) -> Iterator[SourceRecord]:
        for item in items:
            self.rows_read += 1
            if isinstance(item, RowError):
                self.errors.append(item)
            else:
                yield item

    def batch(self, events: PreparedEvents, victims: list[SourceRecord]) -> PreparedBatch:
        prepared = PreparedBatch(
            self.rows_read, self.errors, events, victims, len(events) + len(victims)
        )
        self.rows_read, self.errors = 0, []
        return prepared


def prepare_batches(
    items: Iterable[SourceRecord | RowError], run: ImportRun, size: int, *, ramp: bool = False
) -> Iterator[PreparedBatch]:
    """Batches of `size` records as register rows; the last one carries any trailing errors.
    `ramp`: smaller first batches (see ingest.pipeline.batched), for a writer fed by a child.

    No database access: this may run in a child process while the parent writes.
    """
    tally = _Tally()
    for batch in batched(tally.records_only(items), size, ramp=ramp):
        events = prepare_events(run, [r for r in batch if r.kind == "event"])
        yield tally.batch(events, [r for r in batch if r.kind == "victim"])
    if tally.rows_read:
        yield tally.batch(PreparedEvents(), [])


def write_batches(
    batches: Iterable[PreparedBatch],
    outcome: ImportOutcome,
    run: ImportRun,
    progress: ProgressCallback | None,
) -> ImportOutcome:
    """Write each batch in its own transaction; a crash loses at most the batch being written."""
    for prepared in batches:
        outcome.rows_read += prepared.rows_read
        outcome.errors.extend(prepared.errors)
        if not prepared.records:
            continue
        written = _write_batch(run, prepared)
        outcome.imported += written
        outcome.duplicates += prepared.records - written
        if progress:
            progress(prepared.records)
    return outcome


def _write_batch(run: ImportRun, prepared: PreparedBatch, attempts: int = 3) -> int:
    """One batch in one transaction. If another import of the same source wrote some of its
    rows between our duplicate check and our insert (PostgreSQL lets both run), the unique
    constraint refuses ours: check again and write what is still missing."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                written = write_prepared_events(run, prepared.events)
                return written + write_victim_batch(run, prepared.victims)
        except IntegrityError:
            if attempt == attempts:
                raise
    return 0


class DatabaseUsedWhileReading(RuntimeError):
    """The reading child tried to use the connection it inherited (a bug: it would corrupt it)."""


def _refuse_query(*_args: object) -> object:
    raise DatabaseUsedWhileReading("the reading process must not use the database")


def _without_database(batches: Iterator[PreparedBatch]) -> Iterator[PreparedBatch]:
    """In the forked child: any query on the inherited connection raises instead of running."""
    with connection.execute_wrapper(_refuse_query):
        yield from batches


def can_fork_here() -> bool:
    """Fork only from a single-threaded process (the CLI): in a threaded web server another
    thread may hold a lock at the moment of the fork, and the child would inherit it held."""
    return can_fork() and threading.active_count() == 1


def import_records(
    items: Iterable[SourceRecord | RowError],
    run: ImportRun,
    *,
    batch_size: int | None = None,
    progress: ProgressCallback | None = None,
    in_background: bool = False,
) -> ImportOutcome:
    """Write records in atomic batches; a crash loses at most the batch being written.

    `in_background`: read and prepare in a forked child process while this one writes
    (where can_fork_here(); otherwise, and by default, everything runs here).
    """
    outcome = ImportOutcome(run_id=run.pk, source=run.source.name)
    size = batch_size or settings.CIVHARM["IMPORT_BATCH_SIZE"]
    batches: Iterable[PreparedBatch]
    if in_background and can_fork_here():
        batches = run_in_child(
            lambda: _without_database(prepare_batches(items, run, size, ramp=True))
        )
    else:
        batches = prepare_batches(items, run, size)
    with bulk.larger_page_cache(), collector_skips_what_exists():
        return write_batches(batches, outcome, run, progress)


MAX_RECORD_ID = 128  # Report.record_id's length


def register_record_ids(
    items: Iterable[SourceRecord | RowError],
) -> Iterator[SourceRecord | RowError]:
    """The ids the register keeps. A victim row's id is keyed (HMAC, key outside the database):
    its own id may be a national number, and a plain hash of the row could be checked against a
    guessed name. Ids too long for the register are hashed rather than cut (cutting merges)."""
    key = settings.RECORD_ID_KEY.encode("ascii")
    for item in items:
        if isinstance(item, SourceRecord):
            if item.kind == "victim":
                digest = hmac.new(key, item.record_id.encode("utf-8"), hashlib.sha256)
                item.record_id = "hmac:" + digest.hexdigest()[:40]
            elif len(item.record_id) > MAX_RECORD_ID:
                item.record_id = "sha256:" + hashlib.sha256(item.record_id.encode()).hexdigest()
                item.warnings.append("the source's record id was too long and is kept as a hash")
        yield item


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
    in_background: bool = True,
) -> ImportOutcome:
    """Read `path` with the `fmt` reader and write it to the register. Raises UnreadableFile.

    `in_background`: read, validate and geocode in a child process (see import_records).
    """
    from civharm.core.gazetteer import Gazetteer
    from civharm.ingest.pipeline import read_source

    path = Path(path)
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    source = resolve_source(fmt, path, source_name, source_type)
    if fmt == "victims" and not source.personal_data:
        raise ValueError(
            _(
                "a victim list holds personal data: import it into a source of another type "
                "than « dataset »"
            )
        )
    items = register_record_ids(read_source(fmt, path, columns=columns, gazetteer=gazetteer))
    run = ImportRun.objects.create(
        source=source,
        source_format=fmt,
        file_name=path.name,
        file_sha256=file_sha256(str(path)),
        started_by=actor,
    )
    try:
        outcome = import_records(
            items, run, batch_size=batch_size, progress=progress, in_background=in_background
        )
    except BaseException:
        ImportRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
        raise
    outcome.error_report = write_error_report(run, outcome.errors)
    _finish_run(run, outcome, actor)
    if fmt == "victims":  # each new record's person in the incident it fits, until linkage
        _place_new_victims(run)
    return outcome


def _place_new_victims(run: ImportRun) -> None:
    from civharm.incidents.services.linking import place_new_persons  # pandas: when used

    new = VictimRecord.objects.filter(report__import_run=run).values_list("person_id", flat=True)
    place_new_persons(set(new))


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


def decode_payload(text: str, encrypted: bool) -> dict[str, str]:
    from civharm.incidents.protection import field_cipher

    return json.loads(field_cipher().decrypt(text) if encrypted else text)
