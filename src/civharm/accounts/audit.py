"""Writing and verifying the audit trail. Call `record()` inside the audited transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from civharm.accounts.models import AuditEntry


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
        # Lock the tail so two writers cannot both chain onto the same previous entry.
        last = AuditEntry.objects.select_for_update().order_by("-id").first()
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
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None  # id of the first entry whose hash or link does not hold

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    previous = ""
    count = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if entry.previous_hash != previous or entry.compute_hash() != entry.entry_hash:
            return ChainReport(entries=count, broken_at=entry.id)
        previous = entry.entry_hash
    return ChainReport(entries=count, broken_at=None)
