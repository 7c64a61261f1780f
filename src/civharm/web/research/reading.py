"""The narrative's reading window: "show the narrative" opens it for one interview, in this
session, for a few minutes, so that a coder can select passages across several requests.

Every display inside the window is read through the audited service (reveal_narrative): the
window only saves the coder from pressing the button again; it never bypasses the audit.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

from civharm.research.models import Interview
from civharm.research.services import reveal_narrative

SESSION_KEY = "research_narratives_open"
WINDOW_SECONDS = 15 * 60


def open_narrative(request: HttpRequest, interview: Interview) -> None:
    opened = _current(request)
    opened[str(interview.pk)] = time.time() + WINDOW_SECONDS
    request.session[SESSION_KEY] = opened


def close_narrative(request: HttpRequest, interview: Interview) -> None:
    opened = _current(request)
    opened.pop(str(interview.pk), None)
    request.session[SESSION_KEY] = opened


def narrative_is_open(request: HttpRequest, interview: Interview) -> bool:
    return str(interview.pk) in _current(request)


def read_narrative(request: HttpRequest, interview: Interview) -> str:
    """The decrypted narrative; the reading is written to the audit trail."""
    return reveal_narrative(interview, user=request.user)


def _current(request: HttpRequest) -> dict[str, float]:
    """The windows still open (expired ones dropped)."""
    now = time.time()
    stored = request.session.get(SESSION_KEY) or {}
    return {pk: until for pk, until in stored.items() if until > now}
