"""Users with one role each, and the hash-chained audit trail.

Audit entries name what was touched and why, never the protected values themselves.
"""

from __future__ import annotations

import hashlib
import json

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

    def compute_hash(self) -> str:
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
        return hashlib.sha256(content.encode("utf-8")).hexdigest()
