"""The field key must belong to this register: checked against a canary kept in the database."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civharm.accounts.models import KeyCheck
from civharm.core.protection import ProtectedFieldError

CANARY = "civharm field key check"


class KeyMismatch(Exception):
    """The field-encryption key in use does not decrypt this register's canary."""


def check_field_key() -> None:
    """Create the canary on first use; afterwards refuse to work with another key."""
    from civharm.incidents.protection import field_cipher

    cipher = field_cipher()
    check = KeyCheck.objects.filter(name="field").first()
    if check is None:
        KeyCheck.objects.create(name="field", token=cipher.encrypt(CANARY))
        return
    try:
        matches = cipher.decrypt(check.token) == CANARY
    except ProtectedFieldError:
        matches = False
    if not matches:
        raise KeyMismatch(
            _(
                "the field-encryption key does not belong to this register: names written with "
                "it could never be read with the register's own key. Put back the register's "
                "key file (keys/field.key, or CIVHARM_FIELD_KEYS) — see docs/operations.md."
            )
        )
