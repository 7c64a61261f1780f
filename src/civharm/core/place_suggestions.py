"""Type-ahead suggestions of places (localities, cercles, regions) from a country pack.

Pure Python over the pack's gazetteer files; never imports Django and never geocodes: it only
lists names that start with (or contain) what was typed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from civharm.core.gazetteer import DEFAULT_PACK
from civharm.core.text import fold_key

MIN_QUERY_CHARS = 2
_KIND_RANK = {"admin1": 0, "admin2": 1, "locality": 2}


@dataclass(frozen=True, slots=True)
class PlaceSuggestion:
    """One choice: what to put in the place, commune, cercle and region fields."""

    kind: str  # "locality" | "admin2" | "admin1"
    id: str  # gazetteer locality id or P-code
    name: str
    admin3: str
    admin2: str
    admin1: str
    population: int

    @property
    def choice_id(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class _Entry:
    keys: tuple[str, ...]
    suggestion: PlaceSuggestion


def _rows(pack: str, filename: str) -> list[dict[str, str]]:
    path = resources.files("civharm.country_packs").joinpath(pack, filename)
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _keys(row: dict[str, str]) -> tuple[str, ...]:
    names = [row["name"], row["ascii_name"], *row.get("alternate_names", "").split("|")]
    return tuple(dict.fromkeys(key for key in map(fold_key, names) if key))


@cache
def _entries(pack: str) -> tuple[_Entry, ...]:
    entries = []
    for row in _rows(pack, "admin1.csv"):
        place = PlaceSuggestion("admin1", row["pcode"], row["name"], "", "", row["name"], 0)
        entries.append(_Entry(_keys(row), place))
    for row in _rows(pack, "admin2.csv"):
        place = PlaceSuggestion(
            "admin2", row["pcode"], row["name"], "", row["name"], row["admin1_name"], 0
        )
        entries.append(_Entry(_keys(row), place))
    for row in _rows(pack, "localities.csv"):
        place = PlaceSuggestion(
            "locality",
            row["id"],
            row["name"],
            row["admin3_name"],
            row["admin2_name"],
            row["admin1_name"],
            int(row["population"] or 0),
        )
        entries.append(_Entry(_keys(row), place))
    return tuple(entries)


def suggest_places(text: str, limit: int = 8, pack: str = DEFAULT_PACK) -> list[PlaceSuggestion]:
    """Places whose name starts with `text` (accents and case ignored), then those containing it.

    Regions first, then cercles, then localities by population. Fewer than 2 letters: nothing.
    """
    query = fold_key(text[:120])
    if len(query) < MIN_QUERY_CHARS or limit <= 0:
        return []
    ranked = []
    for entry in _entries(pack):
        if any(key.startswith(query) for key in entry.keys):
            closeness = 0
        elif any(query in key for key in entry.keys):
            closeness = 1
        else:
            continue
        place = entry.suggestion
        ranked.append(((closeness, _KIND_RANK[place.kind], -place.population, place.name), place))
    ranked.sort(key=lambda pair: pair[0])
    return [place for _rank, place in ranked[:limit]]


def place_by_choice(choice_id: str, pack: str = DEFAULT_PACK) -> PlaceSuggestion | None:
    """The suggestion a person picked ("locality:geonames:123", "admin2:ML0406"), or None."""
    for entry in _entries(pack):
        if entry.suggestion.choice_id == choice_id:
            return entry.suggestion
    return None
