"""Translations for the pure packages and the command line, from the same catalogue as Django.

French is the default (the field teams work in French); English on request. Pure stdlib
gettext, so `core` and `ingest` stay free of Django.
"""

from __future__ import annotations

import gettext as _gettext
import os
import threading
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("fr", "en")
_default = {"language": "fr"}
_thread = threading.local()  # a web request's language must not leak into another thread's


def normalise_language(value: str | None) -> str:
    """'en_GB.UTF-8' -> 'en'; anything not English -> 'fr'."""
    return "en" if (value or "").lower().startswith("en") else "fr"


def language_from_environment() -> str:
    """CIVHARM_LANG, else the system locale (LC_ALL, LC_MESSAGES, LANG), else French."""
    for name in ("CIVHARM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value and value not in {"C", "POSIX"} and not value.startswith("C."):
            return normalise_language(value)
    return "fr"


def activate(language: str) -> None:
    """The language of this thread's messages (and the default of threads that set none)."""
    _thread.language = normalise_language(language)
    if threading.current_thread() is threading.main_thread():
        _default["language"] = _thread.language


def get_language() -> str:
    return getattr(_thread, "language", _default["language"])


@cache
def _catalogue(language: str) -> _gettext.NullTranslations:
    return _gettext.translation("django", LOCALE_DIR, languages=[language], fallback=True)


def gettext(message: str) -> str:
    return _catalogue(get_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _catalogue(get_language()).ngettext(singular, plural, count)


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogue where it is written; translated where it is shown."""
    return message


_ = gettext
N_ = gettext_noop
