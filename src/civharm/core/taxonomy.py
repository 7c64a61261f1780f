"""Taxonomies of a country pack (harm types, interaction contexts, actors, grades…).

Taxonomies are data (country_packs/<pack>/taxonomies.json); this module only loads them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from civharm.core.text import fold

DEFAULT_PACK = "mali"


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    fr: str
    en: str
    category: str | None = None

    def label(self, language: str = "fr") -> str:
        return self.en if language.startswith("en") else self.fr


@dataclass(frozen=True)
class Taxonomy:
    pack: str
    harm_types: tuple[Term, ...]
    interaction_contexts: tuple[Term, ...]
    actor_categories: tuple[Term, ...]
    actors: tuple[Term, ...]
    attribution_statuses: tuple[Term, ...]
    source_types: tuple[Term, ...]
    assessment_grades: tuple[Term, ...]
    review_statuses: tuple[Term, ...]
    personal_data_source_types: frozenset[str]
    _actor_patterns: tuple[tuple[re.Pattern[str], str], ...]

    def keys(self, name: str) -> list[str]:
        return [term.key for term in getattr(self, name)]

    def choices(self, name: str, language: str = "fr") -> list[tuple[str, str]]:
        return [(term.key, term.label(language)) for term in getattr(self, name)]

    def match_actor(self, name: str) -> str | None:
        """Taxonomy key of the actor a source names, or None when unrecognised.

        Longest alias first, so "Islamic State (Greater Sahara)" beats "Islamic State".
        """
        folded = fold(name)
        if not folded:
            return None
        for pattern, key in self._actor_patterns:
            if pattern.search(folded):
                return key
        return None

    def actor_category(self, key: str) -> str | None:
        for term in self.actors:
            if term.key == key:
                return term.category
        return None


def _terms(items: list[dict[str, object]]) -> tuple[Term, ...]:
    return tuple(
        Term(
            key=str(item["key"]),
            fr=str(item["fr"]),
            en=str(item["en"]),
            category=str(item["category"]) if "category" in item else None,
        )
        for item in items
    )


def _actor_patterns(actors: list[dict[str, object]]) -> tuple[tuple[re.Pattern[str], str], ...]:
    aliases: list[tuple[str, str]] = []
    for actor in actors:
        names = [str(actor["fr"]), str(actor["en"]), *[str(a) for a in actor.get("aliases", [])]]  # type: ignore[attr-defined]
        aliases.extend((fold(alias), str(actor["key"])) for alias in names if fold(alias))
    aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    return tuple((re.compile(rf"\b{re.escape(alias)}\b"), key) for alias, key in aliases)


@cache
def load_taxonomy(pack: str = DEFAULT_PACK) -> Taxonomy:
    path = resources.files("civharm.country_packs").joinpath(pack, "taxonomies.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Taxonomy(
        pack=pack,
        harm_types=_terms(data["harm_types"]),
        interaction_contexts=_terms(data["interaction_contexts"]),
        actor_categories=_terms(data["actor_categories"]),
        actors=_terms(data["actors"]),
        attribution_statuses=_terms(data["attribution_statuses"]),
        source_types=_terms(data["source_types"]),
        assessment_grades=_terms(data["assessment_grades"]),
        review_statuses=_terms(data["review_statuses"]),
        personal_data_source_types=frozenset(
            item["key"] for item in data["source_types"] if item.get("personal_data")
        ),
        _actor_patterns=_actor_patterns(data["actors"]),
    )
