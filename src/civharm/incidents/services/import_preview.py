"""Uploaded files waiting for confirmation, and what importing them would do — computed
without writing anything to the register.

Uploads live under DATA_DIR/uploads with random names (mode 600), bound to one user. A victim
list preview never carries a name or contact: identity cells are blanked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings

from civharm.core.gazetteer import Gazetteer
from civharm.core.i18n import _
from civharm.core.precision import Count
from civharm.incidents.models import ImportRun
from civharm.incidents.services.importing import ImportOutcome, import_file
from civharm.ingest.fields import header_key, recognises, resolve_columns
from civharm.ingest.hxl import map_tags
from civharm.ingest.pipeline import read_source
from civharm.ingest.records import RowError, SourceRecord
from civharm.ingest.reports import REPORT_COLUMNS
from civharm.ingest.tables import open_table
from civharm.ingest.victims import PERSONAL_FIELDS, VICTIM_COLUMNS

UPLOAD_LIFETIME_SECONDS = 24 * 3600  # an upload nobody confirmed is deleted after a day
PREVIEW_ROWS = 10
MAX_ERRORS_SHOWN = 500
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# Columns the ACLED and UCDP readers use (their files use these exact lower-case names).
ACLED_USED = (
    "event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "actor2", "inter1", "inter2", "civilian_targeting", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities",
)  # fmt: skip
UCDP_USED = (
    "id", "date_start", "date_end", "date_prec", "deaths_civilians", "deaths_unknown", "side_a",
    "side_b", "type_of_violence", "adm_1", "adm_2", "where_coordinates", "where_prec",
    "latitude", "longitude", "source_headline", "source_office",
)  # fmt: skip


@dataclass
class PendingUpload:
    """An uploaded file and what the user chose for it. `original_name` never goes in a URL."""

    token: str
    owner_id: int
    source_format: str
    source_name: str
    source_type: str
    original_name: str
    uploaded_at: float

    @property
    def path(self) -> Path:
        return upload_folder() / f"{self.token}.data"

    @property
    def _sidecar(self) -> Path:
        return upload_folder() / f"{self.token}.json"


@dataclass
class ColumnMapping:
    recognised: list[tuple[str, str]]  # (their header, our field)
    unrecognised: list[str]


@dataclass
class ImportPreview:
    mapping: ColumnMapping
    records: list[SourceRecord] = field(default_factory=list)  # the first PREVIEW_ROWS
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS_SHOWN
    rows_read: int = 0
    record_count: int = 0
    error_count: int = 0
    warning_count: int = 0


def upload_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write_private(path: Path, chunks: Iterable[bytes]) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def save_upload(
    chunks: Iterable[bytes],
    *,
    owner_id: int,
    source_format: str,
    source_name: str,
    source_type: str,
    original_name: str,
) -> PendingUpload:
    """Store the file under a random name (mode 600) with what the user chose; return it."""
    discard_stale_uploads()
    pending = PendingUpload(
        token=secrets.token_urlsafe(24),
        owner_id=owner_id,
        source_format=source_format,
        source_name=source_name,
        source_type=source_type,
        original_name=Path(original_name).name[:200],
        uploaded_at=time.time(),
    )
    _write_private(pending.path, chunks)
    _write_private(pending._sidecar, [json.dumps(asdict(pending)).encode()])
    return pending


def load_upload(token: str, owner_id: int) -> PendingUpload | None:
    """The upload behind `token` if it belongs to `owner_id`; None otherwise (or if gone)."""
    if not _TOKEN.fullmatch(token):
        return None
    sidecar = upload_folder() / f"{token}.json"
    try:
        pending = PendingUpload(**json.loads(sidecar.read_text()))
    except (OSError, ValueError, TypeError):
        return None
    if pending.owner_id != owner_id or not pending.path.exists():
        return None
    return pending


def discard_upload(pending: PendingUpload) -> None:
    for path in (pending.path, pending._sidecar):
        path.unlink(missing_ok=True)


def discard_stale_uploads(now: float | None = None) -> int:
    """Delete uploads older than UPLOAD_LIFETIME_SECONDS; returns how many files went."""
    limit = (now or time.time()) - UPLOAD_LIFETIME_SECONDS
    removed = 0
    for path in upload_folder().iterdir():
        if path.is_file() and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def column_mapping(fmt: str, path: Path, label: str) -> ColumnMapping:
    """Which of our fields each header of the file feeds, as the `fmt` reader will map them."""
    if fmt in ("reports", "victims"):
        aliases = REPORT_COLUMNS if fmt == "reports" else VICTIM_COLUMNS
        table = open_table(
            path, header_test=recognises(aliases, 2), expected=_("a header row"), file_label=label
        )
        fields = resolve_columns(table.header, aliases, None, label)
        if (
            fmt == "victims"
            and "family_name" in fields
            and not {"given_name", "full_name"} & set(fields)
        ):
            fields["full_name"] = fields.pop("family_name")  # the reader's lone-name rule
        by_header = {header: ours for ours, header in fields.items()}
    else:
        table = open_table(
            path, header_test=lambda cells: True, expected=_("a header row"), file_label=label
        )
        by_header = _dataset_mapping(fmt, table.header, table.hxl_tags)
    return ColumnMapping(
        recognised=[(h, by_header[h]) for h in table.header if h in by_header],
        unrecognised=[h for h in table.header if h not in by_header],
    )


def _dataset_mapping(fmt: str, header: list[str], tags: list[str] | None) -> dict[str, str]:
    if fmt == "hxl":
        return {theirs: ours for ours, theirs in map_tags(tags or [], header).items()}
    used = ACLED_USED if fmt == "acled" else UCDP_USED
    known = {header_key(name): name for name in used}
    return {h: known[header_key(h)] for h in header if header_key(h) in known}


def preview_import(pending: PendingUpload) -> ImportPreview:
    """Read the whole file as the import would (geocoding included) and keep a sample.

    Raises UnreadableFile when the file cannot be read at all. Writes nothing.
    """
    fmt, label = pending.source_format, pending.original_name
    preview = ImportPreview(mapping=column_mapping(fmt, pending.path, label))
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    for item in read_source(fmt, pending.path, gazetteer=gazetteer, file_label=label):
        preview.rows_read += 1
        if isinstance(item, RowError):
            preview.error_count += 1
            if len(preview.errors) < MAX_ERRORS_SHOWN:
                preview.errors.append(item)
            continue
        preview.record_count += 1
        preview.warning_count += bool(item.warnings)
        if len(preview.records) < PREVIEW_ROWS:
            preview.records.append(_without_identity(item))
    return preview


def _without_identity(record: SourceRecord) -> SourceRecord:
    """Blank names and contacts (and the raw row) before a record reaches a page."""
    if record.victim is not None:
        for name in (*PERSONAL_FIELDS, "community"):
            if hasattr(record.victim, name):  # the father's given name is in father_name
                setattr(record.victim, name, None)
        record.payload = {}
        record.payload_json = ""  # the canonical text of the raw row holds the names too
    return record


def count_text(count: Count) -> str:
    """A toll as people read it: "12", "20–30", "≥ 20", "≤ 20", "~20"; "?" when unknown."""
    low, best, high = count.low, count.best, count.high
    if low is not None and low == best == high:
        return str(low)
    if low is not None and high is not None:
        return f"{low}–{high}" if best is None else f"{best} ({low}–{high})"
    if best is not None:
        return f"~{best}"
    if low is not None:
        return f"≥ {low}"
    return f"≤ {high}" if high is not None else "?"


def confirm_import(pending: PendingUpload, *, actor: str) -> ImportOutcome:
    """Run the real import of a previewed upload, then delete the upload (even on failure).

    Raises UnreadableFile as import_file does.
    """
    try:
        outcome = import_file(
            pending.path,
            pending.source_format,
            source_name=pending.source_name or None,
            source_type=pending.source_type or None,
            actor=actor,
        )
    finally:
        discard_upload(pending)
    # import_file records the stored (random) name; the run should show the person's file name.
    ImportRun.objects.filter(pk=outcome.run_id).update(file_name=pending.original_name)
    return outcome
