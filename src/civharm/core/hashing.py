"""Content hashes of raw source records: the identity of a row when its source gives none."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping


def canonical_json(payload: Mapping[str, object]) -> str:
    """Stable JSON text of a record: sorted keys, no whitespace, UTF-8 kept."""
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def payload_sha256(payload: Mapping[str, object]) -> str:
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def file_sha256(path: str, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
