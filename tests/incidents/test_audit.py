"""The audit trail is chained: altering or removing an entry is detected."""

from __future__ import annotations

import pytest

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
