"""Content hashes of raw source records: the identity of a row when its source gives none."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import orjson


def canonical_json(payload: Mapping[str, object]) -> str:
    """Stable JSON text of a record: sorted keys, no whitespace, UTF-8 kept (not \\u-escaped).

    orjson: the import hot path encodes every row, and the stdlib encoder was its top cost.
    """
    return _canonical_bytes(payload).decode("utf-8")


def payload_sha256(payload: Mapping[str, object]) -> str:
    return hashlib.sha256(_canonical_bytes(payload)).hexdigest()


def canonical_json_and_sha256(payload: Mapping[str, object]) -> tuple[str, str]:
    """(canonical_json(payload), payload_sha256(payload)) for the cost of one encoding."""
    encoded = _canonical_bytes(payload)
    return encoded.decode("utf-8"), hashlib.sha256(encoded).hexdigest()


def _canonical_bytes(payload: Mapping[str, object]) -> bytes:
    data = payload if type(payload) is dict else dict(payload)
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)


def file_sha256(path: str, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
