"""The knowledge-gain page: per module, unit and session, the mean pre- and post-test scores
(per cent of the maximum), the mean gain in points with its 95% interval (or why there is
none), and how many participants took both tests.

Aggregates only: never a participant, not even by pseudonym.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civharm.accounts.permissions import capability_required
from civharm.training.gain import knowledge_gain
from civharm.training.models import Attendance, Session, TestAttempt
from civharm.web.training.forms import module_title
from civharm.web.training.navigation import render_page


@dataclass(frozen=True)
class ScorePair:
    """One participant's pre- and post-test in one session, in per cent of the maximum."""

    session: Session
    pre: float
    post: float


def score_pairs(sessions: Iterable[int] | None = None) -> list[ScorePair]:
    """Pairs of attended participants who took both tests (a test without a maximum, e.g. an
    empty question bank, is left out)."""
    attempts = TestAttempt.objects.select_related(
        "session__module_version__module", "session__unit"
    ).filter(max_score__gt=0)
    if sessions is not None:
        attempts = attempts.filter(session__in=list(sessions))
    absent = set(Attendance.objects.filter(attended=False).values_list("session", "participant"))
    by_pair: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)
    for attempt in attempts:
        key = (attempt.session_id, attempt.participant_id)
        if key not in absent:
            by_pair[key][attempt.kind] = attempt
    return [
        ScorePair(tests["pre"].session, tests["pre"].percent, tests["post"].percent)
        for tests in by_pair.values()
        if "pre" in tests and "post" in tests
    ]


def _percent(value: float) -> str:
    return _("{value}%").format(value=number_format(value, decimal_pos=1))


def _points(value: float) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number_format(abs(value), decimal_pos=1)}"


def gain_row(label: str, url: str, pairs: list[ScorePair]) -> dict[str, Any]:
    result = knowledge_gain([(p.pre, p.post) for p in pairs])
    has_interval = result.low is not None and result.high is not None
    # The pure package returns an untranslated message id; it is translated here, where shown.
    reason = _(result.reason) if result.reason else ""
    return {
        "label": label,
        "url": url,
        "n": result.n,
        "pre": _percent(result.mean_pre),
        "post": _percent(result.mean_post),
        "gain": _points(result.mean_gain),
        "interval": (
            _("{low} to {high}").format(low=_points(result.low), high=_points(result.high))
            if has_interval
            else ""
        ),
        "reason": reason,
    }


def _grouping(by: str) -> tuple[Callable[[Session], Any], Callable[[Session], tuple[str, str]]]:
    """(group key, (label, url)) of a session for each grouping."""
    if by == "module":
        return (
            lambda s: s.module_version.module_id,
            lambda s: (
                module_title(s.module_version.module),
                reverse("web:training_module", args=[s.module_version.module_id]),
            ),
        )
    if by == "unit":
        return (lambda s: s.unit_id, lambda s: (s.unit.name, ""))
    return (
        lambda s: s.pk,
        lambda s: (
            f"{s.code} — {module_title(s.module_version.module)}, {s.unit.name}",
            reverse("web:training_session", args=[s.pk]),
        ),
    )


def gain_table(by: str, pairs: list[ScorePair] | None = None) -> dict[str, Any]:
    pairs = score_pairs() if pairs is None else pairs
    key_of, describe = _grouping(by)
    groups: dict[Any, list[ScorePair]] = defaultdict(list)
    for pair in pairs:
        groups[key_of(pair.session)].append(pair)
    rows = [gain_row(*describe(members[0].session), members) for members in groups.values()]
    headings = {"module": _("module"), "unit": _("unit"), "session": _("session")}
    captions = {
        "module": _("Knowledge gain by module"),
        "unit": _("Knowledge gain by unit"),
        "session": _("Knowledge gain by session"),
    }
    return {
        "key": by,
        "caption": captions[by],
        "heading": headings[by],
        "rows": sorted(rows, key=lambda row: row["label"]),
    }


def gain_labels() -> dict[str, str]:
    """Column headings and notes holding a per cent sign (passed from the view)."""
    return {
        "pre": _("mean pre-test score (% of the maximum)"),
        "post": _("mean post-test score (% of the maximum)"),
        "gain": _("mean gain (points)"),
        "interval": _("95% interval of the gain"),
        "intro": _(
            "Each participant who attended and took both tests counts once: the gain is the mean "
            "of their post-test minus pre-test scores, in points of per cent of the maximum, "
            "with a 95% confidence interval (Student's t on the paired differences)."
        ),
    }


@capability_required("view_training")
@require_GET
def gain_page(request: HttpRequest) -> HttpResponse:
    pairs = score_pairs()
    context = {
        "labels": gain_labels(),
        "tables": [gain_table(by, pairs) for by in ("module", "unit", "session")],
        "pair_count": len(pairs),
    }
    return render_page(request, "web/training/gain.html", context)
