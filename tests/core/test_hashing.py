"""Row hashes: one encoding gives the stored JSON and the hash, identical to computing each."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from civharm.core.hashing import canonical_json, canonical_json_and_sha256, payload_sha256

rows = st.dictionaries(st.text(max_size=12), st.text(max_size=30), max_size=12)


@given(rows)
def test_json_and_hash_together_equal_each_alone(payload: dict[str, str]) -> None:
    assert canonical_json_and_sha256(payload) == (canonical_json(payload), payload_sha256(payload))


def test_key_order_does_not_change_the_hash() -> None:
    assert payload_sha256({"b": "2", "a": "é"}) == payload_sha256({"a": "é", "b": "2"})
    assert canonical_json({"b": "2", "a": "é"}) == '{"a":"é","b":"2"}'
