"""Knowledge gain from paired pre- and post-test scores: mean gain in percentage points with a
paired t interval, overall and per module, unit or session.

Pure Python (no Django): takes and returns plain data. Never sees who the participants are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from scipy import stats

from civharm.core.i18n import N_

# The reason shown when a group is too small for an interval (translated where it is shown).
TOO_FEW_PAIRS = N_("fewer than two participants with both a pre- and a post-test: no interval")
NO_PAIRS = N_("no participant with both a pre- and a post-test")


@dataclass(frozen=True)
class Gain:
    """Paired knowledge gain, in percentage points; low/high is None when it cannot be computed."""

    n: int
    mean_pre: float | None
    mean_post: float | None
    mean_gain: float | None
    sd_gain: float | None
    low: float | None
    high: float | None
    level: float
    reason: str = ""  # why there is no interval (untranslated msgid)


@dataclass(frozen=True)
class PairedScore:
    """One participant's pre and post scores (in %) in one session, with the groups it falls in."""

    session: str
    module: str
    unit: str
    pre: float
    post: float
    partner: str = ""


def knowledge_gain(pairs: Sequence[tuple[float, float]], level: float = 0.95) -> Gain:
    """Mean of (post - pre) with a paired t interval; fewer than two pairs give no interval."""
    if not 0 < level < 1:
        raise ValueError("the confidence level must lie strictly between 0 and 1")
    n = len(pairs)
    if n == 0:
        return Gain(0, None, None, None, None, None, None, level, NO_PAIRS)
    mean_pre = math.fsum(pre for pre, _ in pairs) / n
    mean_post = math.fsum(post for _, post in pairs) / n
    differences = [post - pre for pre, post in pairs]
    mean_gain = math.fsum(differences) / n
    if n < 2:
        return Gain(n, mean_pre, mean_post, mean_gain, None, None, None, level, TOO_FEW_PAIRS)
    variance = math.fsum((d - mean_gain) ** 2 for d in differences) / (n - 1)
    sd_gain = math.sqrt(variance)
    quantile = float(stats.t.ppf(0.5 + level / 2, df=n - 1))
    half_width = quantile * sd_gain / math.sqrt(n)
    return Gain(
        n,
        mean_pre,
        mean_post,
        mean_gain,
        sd_gain,
        mean_gain - half_width,
        mean_gain + half_width,
        level,
    )


def gain_by(
    scores: Iterable[PairedScore], group: Callable[[PairedScore], str], level: float = 0.95
) -> dict[str, Gain]:
    """The knowledge gain of each group (groups in sorted order)."""
    pairs: dict[str, list[tuple[float, float]]] = {}
    for score in scores:
        pairs.setdefault(group(score), []).append((score.pre, score.post))
    return {name: knowledge_gain(pairs[name], level) for name in sorted(pairs)}


def gain_by_module(scores: Iterable[PairedScore], level: float = 0.95) -> dict[str, Gain]:
    return gain_by(scores, lambda score: score.module, level)


def gain_by_unit(scores: Iterable[PairedScore], level: float = 0.95) -> dict[str, Gain]:
    return gain_by(scores, lambda score: score.unit, level)


def gain_by_session(scores: Iterable[PairedScore], level: float = 0.95) -> dict[str, Gain]:
    return gain_by(scores, lambda score: score.session, level)


def gain_by_partner(scores: Iterable[PairedScore], level: float = 0.95) -> dict[str, Gain]:
    return gain_by(scores, lambda score: score.partner, level)


def overall_gain(scores: Iterable[PairedScore], level: float = 0.95) -> Gain:
    return knowledge_gain([(score.pre, score.post) for score in scores], level)


def percent(score: int, max_score: int) -> float | None:
    """A score as a percentage of its maximum; None when the test had no question."""
    return 100.0 * score / max_score if max_score else None
