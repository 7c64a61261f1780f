"""Tolls as sources write them, kept as ranges and approximations, never rounded."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civharm.core.precision import Count
from civharm.ingest.counts import CountParseError, parse_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Count(12, 12, 12)),
        (" 1 200 ", Count(1200, 1200, 1200)),
        ("12.0", Count(12, 12, 12)),
        ("deux", Count(2, 2, 2)),
        ("12 morts", Count(12, 12, 12)),
        ("20-30", Count(20, None, 30)),
        ("20 – 30", Count(20, None, 30)),
        ("20 à 30", Count(20, None, 30)),
        ("20 to 30", Count(20, None, 30)),
        ("entre 20 et 30", Count(20, None, 30)),
        ("about 20", Count(None, 20, None)),
        ("environ 20", Count(None, 20, None)),
        ("env. 20", Count(None, 20, None)),
        ("~20", Count(None, 20, None)),
        ("près de 20", Count(None, 20, None)),
        ("une vingtaine", Count(None, 20, None)),
        ("des dizaines", Count(20, None, None)),
        ("at least 20", Count(20, None, None)),
        ("au moins 20", Count(20, None, None)),
        ("20+", Count(20, None, None)),
        ("plus de 20", Count(20, None, None)),
        ("jusqu'à 20", Count(None, None, 20)),
        ("unknown", Count()),
        ("Inconnu", Count()),
        ("?", Count()),
        ("", Count()),
    ],
)
def test_parse_count_reads_what_sources_write(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [("-4", "negative"), ("30-20", "below its start"), ("beaucoup", "not a number")],
)
def test_bad_counts_say_why(text, words):
    with pytest.raises(CountParseError, match=words):
        parse_count(text)


@given(st.integers(min_value=0, max_value=10**7))
def test_a_plain_number_is_exact(value):
    assert parse_count(str(value)) == Count.exact(value)


@given(st.integers(0, 10**5), st.integers(0, 10**5), st.sampled_from(["-", " à ", " to ", "–"]))
def test_a_range_keeps_its_bounds_or_is_refused(low, high, separator):
    text = f"{low}{separator}{high}"
    if low > high:
        with pytest.raises(CountParseError):
            parse_count(text)
    else:
        assert parse_count(text) == Count(low=low, best=None, high=high)


@given(st.integers(0, 10**5), st.sampled_from(["environ ", "about ", "~", "près de "]))
def test_an_approximation_is_a_best_estimate_without_bounds(value, prefix):
    assert parse_count(f"{prefix}{value}") == Count(best=value)


@given(st.text(max_size=25))
def test_parse_count_fails_only_with_count_parse_error(text):
    with contextlib.suppress(CountParseError):
        parse_count(text)
