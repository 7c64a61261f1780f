"""Encryption of protected fields (names, contacts, raw payloads of personal-data sources).

The key lives outside the database. Decrypted values must never be logged or put in errors.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_PSEUDONYM_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


class ProtectedFieldError(Exception):
    """A protected value could not be decrypted (wrong or missing key)."""


class FieldCipher:
    """Authenticated encryption with key rotation: the first key encrypts, all keys decrypt."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one field-encryption key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @staticmethod
    def generate_key() -> bytes:
        return Fernet.generate_key()

    def encrypt(self, value: str | None) -> str:
        if value is None or value == "":
            return ""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ProtectedFieldError(
                "a protected field could not be decrypted: the field-encryption key is wrong "
                "or missing (see docs/operations.md, 'Keys')"
            ) from exc


def new_pseudonym(prefix: str = "P") -> str:
    """A random pseudonym such as 'P-7K3QX-9P2MA', stable once stored; never derived from a name.

    50 random bits: collisions stay negligible for millions of persons (and are retried).
    """
    body = "".join(secrets.choice(_PSEUDONYM_ALPHABET) for _ in range(10))
    return f"{prefix}-{body[:5]}-{body[5:]}"
