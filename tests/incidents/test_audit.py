"""The audit trail is chained: altering, removing or truncating entries is detected, and
concurrent writers never fork the chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from civharm.accounts import audit
from civharm.accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_chain_verifies_then_detects_an_altered_entry() -> None:
    for n in range(5):
        audit.record("analyst1", "read", "Person", n, fields=["name"], reason="verification")
    assert audit.verify_chain().ok
    AuditEntry.objects.filter(object_id="2").update(reason="nothing to see")
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == AuditEntry.objects.get(object_id="2").id


def test_chain_detects_a_removed_entry() -> None:
    for n in range(4):
        audit.record("analyst1", "export", "incidents", n)
    AuditEntry.objects.filter(object_id="1").delete()
    assert not audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)  # the head is written when the entry commits
def test_removing_the_newest_entries_is_detected() -> None:
    for n in range(4):
        audit.record("analyst1", "export_identities", "persons", n, reason="claims")
    assert audit.verify_chain().ok
    AuditEntry.objects.filter(id=AuditEntry.objects.order_by("-id").first().id).delete()  # type: ignore[union-attr]
    report = audit.verify_chain()
    assert report.truncated and not report.ok


def test_an_entry_rehashed_without_the_key_is_detected() -> None:
    import hashlib

    audit.record("analyst1", "export", "incidents", 1)
    entry = AuditEntry.objects.get()
    entry.reason = "forged"
    forged = hashlib.sha256(b"anything").hexdigest()
    AuditEntry.objects.filter(pk=entry.pk).update(reason="forged", entry_hash=forged)
    assert not audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(20):
                audit.record(f"worker{worker}", "read", "Person", n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 60
    assert audit.verify_chain().ok
