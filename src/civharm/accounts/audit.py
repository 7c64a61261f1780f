"""Writing and verifying the audit trail. Call `record()` inside the audited transaction.

Entries are chained by HMAC (key outside the database). The newest entry's number and hash
are also written outside the database, so that removing the newest entries is detected.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from civharm.accounts.models import AuditEntry

_CHAIN_LOCK = 7_270_001  # PostgreSQL advisory lock number held while appending


def record(
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int = "",
    *,
    fields: Iterable[str] = (),
    reason: str = "",
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one entry to the chain. `fields` are field NAMES; never pass protected values."""
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").first()
        entry = AuditEntry(
            at=timezone.now(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=sorted(fields),
            reason=reason,
            details=details or {},
            previous_hash=last.entry_hash if last else "",
        )
        entry.entry_hash = entry.compute_hash()
        entry.save()
        count = AuditEntry.objects.count()
        transaction.on_commit(lambda: _write_head(count, entry.entry_hash))
    return entry


def _lock_chain() -> None:
    """Serialise writers. SQLite: the write transaction (BEGIN IMMEDIATE) already does."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _write_head(count: int, entry_hash: str) -> None:
    head = settings.AUDIT_HEAD_FILE
    head.parent.mkdir(parents=True, exist_ok=True)
    # A file of its own per writer (threads share a pid), then an atomic rename.
    descriptor, temporary = tempfile.mkstemp(prefix=".audit-head-", dir=head.parent)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(json.dumps({"entries": count, "hash": entry_hash}))
    os.replace(temporary, head)


def _read_head() -> dict[str, object] | None:
    try:
        return json.loads(settings.AUDIT_HEAD_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry whose hash or link does not hold
    truncated: bool = False  # fewer entries than the head kept outside the database says

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.truncated


def reset_head() -> None:
    """After a restore, the head outside the database follows the restored chain."""
    last = AuditEntry.objects.order_by("-id").first()
    if last is None:
        settings.AUDIT_HEAD_FILE.unlink(missing_ok=True)
    else:
        _write_head(AuditEntry.objects.count(), last.entry_hash)


def verify_chain(*, ignore_head: bool = False) -> ChainReport:
    previous = ""
    hashes: list[str] = []
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.previous_hash != previous or entry.compute_hash() != entry.entry_hash:
            return ChainReport(entries=len(hashes) + 1, broken_at=entry.id)
        previous = entry.entry_hash
        hashes.append(previous)
    head = None if ignore_head else _read_head()
    truncated = False
    if head is not None:
        position = int(str(head.get("entries", 0)))
        truncated = position > len(hashes) or (
            position > 0 and hashes[position - 1] != head.get("hash")
        )
    return ChainReport(entries=len(hashes), broken_at=None, truncated=truncated)
