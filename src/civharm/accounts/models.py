"""Users with one role each, and the hash-chained audit trail.

Audit entries name what was touched and why, never the protected values themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civharm.accounts.roles import ROLES, can


class User(AbstractUser):
    role = models.CharField(
        _("role"), max_length=32, choices=list(ROLES.items()), default="partner"
    )

    def can(self, capability: str) -> bool:
        return self.is_active and can(self.role, capability)


ACTION_LABELS = {
    "create": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "read": _("read a protected field"),
    "lookup": _("found a record by a protected field"),
    "import": _("imported a file"),
    "export": _("exported"),
    "export_identities": _("exported identities"),
    "backup": _("backed up"),
    "restore": _("restored"),
    "revoke": _("revoked"),
    "review_assign": _("assigned"),
    "review_comment": _("commented"),
    "review_grade": _("graded"),
    "review_approve": _("approved"),
    "link": _("linked records"),
    "link_decision": _("decided on a pair of records"),
}


class AuditEntry(models.Model):
    """One audited action. `entry_hash` chains each entry to the previous one."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.CharField(_("who"), max_length=150)  # username, or "system"/"cli:<os user>"
    action = models.CharField(_("action"), max_length=32)  # create, update, delete, export, read…
    object_type = models.CharField(_("record type"), max_length=64)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)  # names only, never values
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)  # counts, formats, paths
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            # Each entry has one successor: two writers can never fork the chain.
            models.UniqueConstraint(fields=["previous_hash"], name="one_successor_per_entry")
        ]

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def compute_hash(self) -> str:
        """HMAC-SHA256 (key outside the database) of the entry and its predecessor's hash."""
        content = json.dumps(
            [
                self.at.isoformat() if self.at else "",
                self.actor,
                self.action,
                self.object_type,
                self.object_id,
                self.fields,
                self.reason,
                self.details,
                self.previous_hash,
            ],
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        key = settings.AUDIT_KEY.encode("utf-8")
        return hmac.new(key, content.encode("utf-8"), hashlib.sha256).hexdigest()


class KeyCheck(models.Model):
    """A known value encrypted with the field key: proves the key in use is this register's.

    Without it, a lost or mistyped key file would silently be replaced by a new key, and every
    name written afterwards would be unreadable with the old one (and the reverse).
    """

    name = models.CharField(max_length=32, unique=True)
    token = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
