"""Content hashes of raw source records: the identity of a row when its source gives none."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import orjson


def canonical_json(payload: Mapping[str, object]) -> str:
    """Stable JSON text of a record: sorted keys, no whitespace, UTF-8 kept (not \\u-escaped).

    orjson: the import hot path encodes every row, and the stdlib encoder was its top cost.
    """
    return orjson.dumps(dict(payload), option=orjson.OPT_SORT_KEYS, default=str).decode("utf-8")


def payload_sha256(payload: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def file_sha256(path: str, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
