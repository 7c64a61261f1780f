"""The pure packages' message language: per thread, French by default."""

from __future__ import annotations

import threading

from civharm.core import i18n


def test_a_threads_language_does_not_leak_into_another_thread() -> None:
    assert i18n.get_language() == "en"  # the suite reads English (tests/conftest.py)
    seen: list[str] = []

    def request_in_french() -> None:
        i18n.activate("fr")
        seen.append(i18n.gettext("a header row"))

    worker = threading.Thread(target=request_in_french)
    worker.start()
    worker.join()
    assert seen == ["une ligne d’en-tête"]
    assert i18n.get_language() == "en" and i18n.gettext("a header row") == "a header row"


def test_locale_names_choose_the_language() -> None:
    assert i18n.normalise_language("en_GB.UTF-8") == "en"
    assert i18n.normalise_language("fr_ML.UTF-8") == "fr"
    assert i18n.normalise_language("bm_ML") == "fr"  # Bambara speakers read French here
