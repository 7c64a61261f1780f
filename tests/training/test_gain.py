"""Knowledge gain: a paired t interval in percentage points, checked against a hand computation;
one pair gives no interval; groups by module, unit and session; paired scores from the DB."""

from __future__ import annotations

import math

import pytest

from civharm.training.gain import (
    NO_PAIRS,
    TOO_FEW_PAIRS,
    PairedScore,
    gain_by_module,
    gain_by_session,
    gain_by_unit,
    knowledge_gain,
    overall_gain,
    percent,
)

# Five generated participants' scores, in % (pre, post).
PAIRS = [(40.0, 60.0), (50.0, 70.0), (60.0, 65.0), (30.0, 50.0), (70.0, 80.0)]


def test_gain_matches_the_hand_computation() -> None:
    # Gains: 20, 20, 5, 20, 10 -> mean 75 / 5 = 15 points.
    # Deviations 5, 5, -10, 5, -5 -> squares 25 + 25 + 100 + 25 + 25 = 200; variance 200 / 4 = 50;
    # sd = sqrt(50) = 7.0711; standard error = sd / sqrt(5) = sqrt(10) = 3.1623.
    # t(0.975, 4 df) = 2.7764 (tables); half-width = 2.7764 * 3.1623 = 8.7798.
    # Interval: 15 - 8.7798 = 6.2202 to 15 + 8.7798 = 23.7798.
    gain = knowledge_gain(PAIRS)
    assert gain.n == 5
    assert gain.mean_pre == 50.0 and gain.mean_post == 65.0 and gain.mean_gain == 15.0
    assert gain.sd_gain == pytest.approx(math.sqrt(50))
    assert gain.low == pytest.approx(6.2202, abs=1e-3)
    assert gain.high == pytest.approx(23.7798, abs=1e-3)
    assert gain.reason == ""


def test_a_wider_level_gives_a_wider_interval() -> None:
    # t(0.995, 4 df) = 4.6041 -> half-width 4.6041 * 3.1623 = 14.5596.
    gain = knowledge_gain(PAIRS, level=0.99)
    assert (gain.low, gain.high) == pytest.approx((0.4404, 29.5596), abs=1e-3)
    with pytest.raises(ValueError):
        knowledge_gain(PAIRS, level=1.0)


def test_one_pair_gives_a_gain_but_no_interval_and_none_gives_nothing() -> None:
    one = knowledge_gain([(40.0, 70.0)])
    assert (one.n, one.mean_gain, one.low, one.high) == (1, 30.0, None, None)
    assert one.reason == TOO_FEW_PAIRS
    empty = knowledge_gain([])
    assert (empty.n, empty.mean_gain, empty.low, empty.reason) == (0, None, None, NO_PAIRS)


def test_groups_by_module_unit_and_session() -> None:
    scores = [
        PairedScore("FOR-000001", "checkpoints", "Unit A", pre, post) for pre, post in PAIRS
    ] + [PairedScore("FOR-000002", "detention", "Unit B", 20.0, 60.0)]
    by_module = gain_by_module(scores)
    assert list(by_module) == ["checkpoints", "detention"]
    assert by_module["checkpoints"].mean_gain == 15.0
    assert by_module["detention"].low is None and by_module["detention"].mean_gain == 40.0
    assert gain_by_unit(scores)["Unit A"] == by_module["checkpoints"]
    assert set(gain_by_session(scores)) == {"FOR-000001", "FOR-000002"}
    # Overall: gains 20, 20, 5, 20, 10, 40 -> mean 115 / 6.
    assert overall_gain(scores).mean_gain == pytest.approx(115 / 6)


def test_percent() -> None:
    assert percent(3, 4) == 75.0 and percent(0, 0) is None
