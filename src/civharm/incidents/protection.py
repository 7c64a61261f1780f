"""The register's access to protected fields: one cipher built from the key outside the DB."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from civharm.core.protection import FieldCipher


@cache
def field_cipher() -> FieldCipher:
    return FieldCipher(settings.FIELD_ENCRYPTION_KEYS)
