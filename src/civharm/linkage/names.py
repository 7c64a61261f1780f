"""Malian names to comparable parts: accents, French transliterations of Arabic, Fulfulde
and Tamasheq names, 'NOM Prénom' vs 'Prénom Nom', and the particles Ag/Ould/Mint.

Pure functions over strings; they never log or keep a name beyond the run's cache.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd

from civharm.core.text import fold as _fold_text

# Words repeat across a list far more than whole names: fold each one once.
fold = lru_cache(maxsize=200_000)(_fold_text)

NAMES_FILE = Path(__file__).resolve().parent.parent / "country_packs" / "mali" / "names.json"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’.][^\W\d_]+)*", re.UNICODE)
_SPELLING_RULES = [
    (re.compile(r"dj"), "j"),
    (re.compile(r"^di(?=[aeiou])"), "j"),
    (re.compile(r"kh|qu|q"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"ch"), "sh"),
    (re.compile(r"c"), "k"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"y"), "i"),  # Keyta/Keita
    (re.compile(r"w"), "u"),  # Trawore/Traoré
    (re.compile(r"(?<!s)h"), ""),
    (re.compile(r"o"), "u"),
    (re.compile(r"(.)\1+"), r"\1"),
    (re.compile(r"(?<=..)e$"), ""),
]


@dataclass(frozen=True)
class NameParts:
    """A name as linkage compares it; every part is in canonical spelling, '' if unknown."""

    surname: str
    given: str
    given_first: str
    key: str  # every token, sorted: the same for any order the name was written in


@dataclass(frozen=True)
class _NameKnowledge:
    family_names: frozenset[str]
    particles: frozenset[str]
    titles: frozenset[str]
    canonical: dict[str, str]


@lru_cache(maxsize=200_000)
def spelling_skeleton(token: str) -> str:
    """'Mahamadou' -> 'mamadu', 'Coulibaly' -> 'kulibali': spellings that sound alike meet."""
    text = re.sub(r"[^a-z]", "", fold(token))
    for pattern, replacement in _SPELLING_RULES:
        text = pattern.sub(replacement, text)
    return text


@cache
def _knowledge() -> _NameKnowledge:
    data = json.loads(NAMES_FILE.read_text(encoding="utf-8"))
    canonical: dict[str, str] = {}
    for group in data["same_name"]:
        head = spelling_skeleton(group[0])
        for variant in group:
            canonical[spelling_skeleton(variant)] = head
    family = frozenset(canonical.get(s, s) for s in map(spelling_skeleton, data["family_names"]))
    return _NameKnowledge(
        family_names=family,
        particles=frozenset(fold(p) for p in data["particles"]),
        titles=frozenset(fold(t) for t in data["titles"]),
        canonical=canonical,
    )


@lru_cache(maxsize=200_000)
def canonical_token(token: str) -> str:
    skeleton = spelling_skeleton(token)
    return _knowledge().canonical.get(skeleton, skeleton)


def _word_key(word: str) -> str:
    """A written word folded, without spaces: 'Sékou' -> 'sekou', "N'Diaye" -> 'ndiaye'."""
    return fold(word).replace(" ", "")


@lru_cache(maxsize=200_000)
def _read_word(word: str) -> tuple[str, str, str, bool]:
    """What one written word is, once per distinct word: (kind, canonical token or particle,
    particle joined to it, written in capitals). kind is "title" (El Hadj, Dr), "dit" (a
    nickname follows), "particle" (Ag, Ould, Mint) or "name"."""
    knowledge = _knowledge()
    folded = _word_key(word)
    if folded in knowledge.titles:
        return "title", "", "", False
    if folded == "dit":  # "Allaye dit Baba Diallo": Baba is a nickname, not a name part
        return "dit", "", "", False
    if folded in knowledge.particles:
        return "particle", "ag" if folded == "ag" else "uld", "", False
    particle, rest = _split_joined_particle(folded)
    return "name", canonical_token(rest or folded), particle, len(word) > 1 and word.isupper()


def _units(raw: str) -> list[tuple[str, bool]]:
    """Canonical name units with a flag 'written in capitals'; 'Ag Mohamed' is one unit."""
    units: list[tuple[str, bool]] = []
    pending_particle = ""
    nickname_next = False
    for word in _WORD.findall(raw):
        kind, token, joined, capitals = _read_word(word)
        if kind == "title":
            continue
        if kind == "dit":
            nickname_next = True
            continue
        if nickname_next:
            nickname_next = False
            continue
        if kind == "particle":
            pending_particle = token
            continue
        particle = pending_particle or joined
        pending_particle = ""
        if not token:
            continue
        units.append((f"{particle}_{token}" if particle else token, capitals))
    return units


def _split_joined_particle(folded: str) -> tuple[str, str]:
    """'agmohamed' -> ('ag', 'mohamed') when the rest is a known name; else ('', folded)."""
    for prefix, particle in (("ag", "ag"), ("ould", "uld"), ("uld", "uld")):
        rest = folded[len(prefix) :].lstrip("-.")
        if folded.startswith(prefix) and len(rest) >= 3:
            skeleton = spelling_skeleton(rest)
            if skeleton in _knowledge().canonical:
                return particle, rest
    return "", folded


# "Amadou DIALLO fils de Hamadoun (et de Fatoumata)": the filiation lists add to tell namesakes
# apart. It is not part of the name; the father's name is compared on its own. Written also
# "F/de", "F/", "fs de", "fils de : …", "s/o" (son of).
_FILIATION = re.compile(
    r"(?:^|[\s,;(/-])(?:"
    r"(?:(?:fils|fille|enfant|fs)\s+|f\s*/\s*)(?:d['’]|(?:de|du|d)(?=[\s:\-]|$))"
    r"|f\s*/\s*(?=[^\W\d_])"  # "F/Hamadoun"
    r"|(?:son|daughter)\s+of(?=[\s:\-]|$)"
    r"|s\s*/\s*o(?=[\s:\-]|$)"
    r")[\s:\-]*",
    re.IGNORECASE,
)
_MOTHER = re.compile(r"\s+(?:et|and)\s+(?:de\s+|d['’]\s*|of\s+)?", re.IGNORECASE)
# In the father's own cell a filiation may come without its "de": "fils Hamadoun", "de …".
_BARE_FILIATION = re.compile(r"^(?:(?:fils|fille|fs|de|du)\b|f\s*/|d['’])\s*", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
# What lists write when they do not know the father: never a name to compare.
_NO_FATHER = frozenset(
    {"inconnu", "inconnue", "non connu", "nonconnu", "pas connu", "nc", "na", "nd", "n a",
     "n d", "n c", "neant", "aucun", "unknown", "not known", "none", "x", "xx", "xxx"}
)  # fmt: skip


@lru_cache(maxsize=200_000)
def split_filiation(raw: str) -> tuple[str, str | None]:
    """(the name, the father's name) of a name written with its filiation, else (raw, None).
    The mother's name after "et de" is dropped: lists give it too rarely to compare."""
    found = _FILIATION.search(raw or "")
    if found is None:
        return raw, None
    name = raw[: found.start()].strip(" ,;(/-")
    # "Fils de Bakary": a child the list does not name is known by the filiation alone
    return (name or raw), father_in_cell(raw[found.end() :])


@lru_cache(maxsize=200_000)
def father_in_cell(text: str | None) -> str | None:
    """The father's name a list's cell for it gives: "Hamadoun", "fils de Hamadoun et de
    Fatoumata" -> "Hamadoun"; None for "inconnu", "N/A", "-" and the like."""
    if not text:
        return None
    text = " ".join(text.split())  # single spaces: the mother's split stays linear in time
    found = _FILIATION.match(" " + text)
    rest = text[found.end() - 1 :] if found else _BARE_FILIATION.sub("", text, count=1)
    rest = re.sub(r"\([^)]*\)?", " ", rest)  # "(décédé)", "(chef de village)"
    father = _MOTHER.split(rest, maxsplit=1)[0].strip(" ,;:()/-.'’?")
    if not _LETTER.search(father):  # "-", "?", "…": any script's letters make a name
        return None
    plain = " ".join(re.sub(r"[^a-z ]", " ", fold(father)).split())
    return None if plain in _NO_FATHER else father  # plain is "" for other scripts: kept


def father_key(father: str | None, surname: str) -> str | None:
    """The father's name as compared: its canonical tokens, sorted, without the family name
    the child shares with him (lists write it or not); None if nothing is left. For "Ag
    Mohamed" fils de Mohamed nothing is: the particle already named the father, and one
    piece of evidence must not count twice."""
    if not father:
        return None
    family = surname.rpartition("_")[2]
    tokens = [unit for unit, _caps in _units(father) if unit.rpartition("_")[2] != family]
    return " ".join(sorted(tokens)) or None


@lru_cache(maxsize=1_000_000)
def name_parts(raw: str) -> NameParts:
    """Split a written name into surname and given names, whatever order it was written in;
    a filiation written after it ("fils de …") is not part of it."""
    units = _units(split_filiation(raw or "")[0])
    if not units:
        return NameParts("", "", "", "")
    surname_at = _surname_position(units)
    surname = units[surname_at][0]
    given = [u for i, (u, _caps) in enumerate(units) if i != surname_at]
    return NameParts(
        surname=surname,
        given=" ".join(given),
        given_first=given[0] if given else "",
        key=" ".join(sorted(u for u, _caps in units)),
    )


def _surname_position(units: list[tuple[str, bool]]) -> int:
    tokens = [u for u, _caps in units]
    capitals = [i for i, (_u, caps) in enumerate(units) if caps]
    if capitals and len(capitals) < len(units):
        return capitals[-1] if tokens[capitals[-1]] in _knowledge().family_names else capitals[0]
    patronymic = [i for i, t in enumerate(tokens) if "_" in t]
    if patronymic:
        return patronymic[-1]
    family = _knowledge().family_names
    first, last = tokens[0] in family, tokens[-1] in family
    if first and not last:
        return 0
    return len(tokens) - 1


def per_distinct(values: pd.Series, function: Callable[[str], str | None]) -> pd.Series:
    """function(value) for each distinct text (lists repeat names and places), None if blank."""
    text = values.astype("string")
    lookup = {v: function(v) for v in text.dropna().unique().to_numpy(dtype=object) if v.strip()}
    return text.map(lookup).astype("object").where(text.notna(), None)


def add_name_columns(frame: pd.DataFrame, column: str = "full_name") -> pd.DataFrame:
    """Adds surname, given, given_first and name_key (None where the name is missing), and
    name_father: the father's name a filiation written with the name gives (split_filiation)."""
    names = frame[column].astype("string")
    distinct = names.dropna().unique().to_numpy(dtype=object)
    parts = {raw: name_parts(raw) for raw in distinct}
    out = frame.copy()
    fathers = {raw: split_filiation(raw)[1] for raw in distinct}
    out["name_father"] = names.map(fathers).astype("object").where(names.notna(), None)
    for field, target in (
        ("surname", "surname"),
        ("given", "given"),
        ("given_first", "given_first"),
        ("key", "name_key"),
    ):
        lookup = {raw: getattr(p, field) or None for raw, p in parts.items()}
        out[target] = names.map(lookup).astype("object").where(names.notna(), None)
    return out
