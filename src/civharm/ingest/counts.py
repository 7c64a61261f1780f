"""Parse tolls as sources write them ("12", "20-30", "environ 12", "au moins 20") into Count.

Never rounds a range or an approximation to one number, never invents bounds.
"""

from __future__ import annotations

import re
import unicodedata

from civharm.core.i18n import _
from civharm.core.precision import Count


class CountParseError(ValueError):
    """A toll that cannot be read; str() is a sentence naming the value (never personal)."""


UNKNOWN_WORDS = frozenset(
    {"", "?", "??", "-", "unknown", "inconnu", "inconnue", "nd", "n d", "na", "n a", "ne sait pas"}
)
NUMBER_WORDS = {
    "zero": 0, "aucun": 0, "none": 0, "un": 1, "une": 1, "one": 1, "deux": 2, "two": 2,
    "trois": 3, "three": 3, "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6,
    "sept": 7, "seven": 7, "huit": 8, "eight": 8, "neuf": 9, "nine": 9, "dix": 10, "ten": 10,
}  # fmt: skip
APPROXIMATE_NOUNS = {
    "dizaine": 10, "douzaine": 12, "dozen": 12, "quinzaine": 15, "vingtaine": 20,
    "trentaine": 30, "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60,
    "centaine": 100, "hundred": 100,
}  # fmt: skip

_NUMBER = r"(\d{1,3}(?:[ .,]\d{3})+|\d+(?:[.,]0+)?|[a-z]+)"
_NEGATIVE = re.compile(r"-\s*\d+(?:[.,]\d+)?")
_RANGE = re.compile(rf"(?:entre |between |de |from )?{_NUMBER}\s*(?:-|a|to|et|and)\s*{_NUMBER}")
_ABOUT = re.compile(
    r"(?:about|around|approx\.?|approximately|roughly|some|environ|env\.?|pres de|presque"
    rf"|quelque|~|≈)\s*{_NUMBER}"
)
_AT_LEAST = re.compile(
    rf"(?:at least|au moins|plus de|more than|over|>=?|≥)\s*{_NUMBER}|{_NUMBER}\s*\+"
)
_AT_MOST = re.compile(
    rf"(?:at most|au plus|up to|jusqu a|moins de|less than|fewer than|<=?|≤)\s*{_NUMBER}"
)
_NOUN = re.compile(r"(?:(une|un|a|des|plusieurs|quelques) )?([a-z]+?)s?")
_UNIT_WORDS = re.compile(
    r"\s+(?:morts?|tues?|personnes?|people|persons?|civils?|civilians?|blesses?|victimes?"
    r"|victims?|dead|killed|injured|menages?|households?|tetes?|heads?)$"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:[ .,]\d{3})+")
_WHOLE_DECIMAL = re.compile(r"(\d+)[.,]0+")


def parse_count(text: str) -> Count:
    """Read a toll. The rules, in order:

    - empty, "?", "unknown"/"inconnu", "nd" -> Count() (unknown, which is not zero);
    - "12", "1 200", "12.0" (a spreadsheet float), "deux" -> exact 12/12/12;
    - "20-30", "20 à 30", "entre 20 et 30" -> Count(low=20, best=None, high=30): a range
      gives bounds, not a best estimate; "30-20" is an error, never silently swapped;
    - "environ 20", "about 20", "~20", "près de 20", "une vingtaine" -> Count(best=20):
      the source's figure is its best estimate and, as it states no bounds, we add none;
    - "au moins 20", "plus de 20", "20+", "at least 20" -> Count(low=20);
    - "jusqu'à 20", "au plus 20", "up to 20", "moins de 20" -> Count(high=20);
    - "des dizaines", "plusieurs centaines" -> Count(low=20), Count(low=200): at least two;
    - a trailing unit word is ignored: "12 morts", "3 ménages" read as 12 and 3.
    Negative numbers and any other text raise CountParseError.
    """
    normal = _UNIT_WORDS.sub("", _normalise(text))
    if normal in UNKNOWN_WORDS:
        return Count()
    if _NEGATIVE.fullmatch(normal):
        raise CountParseError(_("count « {text} » is negative").format(text=_shape(text)))
    exact = _number(normal)
    if exact is not None:
        return Count.exact(exact)
    for shape in (_range, _approximate, _at_least, _at_most):
        found = shape(normal, text)
        if found is not None:
            return found
    raise CountParseError(
        _(
            "count « {text} » is not a number we can read "
            "(write 12, 20-30, environ 12, au moins 20, or leave it empty if unknown)"
        ).format(text=_shape(text))
    )


def _normalise(text: str) -> str:
    """Lower case, no accents, one space; keeps the signs that carry meaning (- + ~ < >)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.translate(_PUNCTUATION)
    return " ".join(plain.split())


_PUNCTUATION = str.maketrans({"'": " ", "’": " ", "–": "-", "—": "-", "\u00a0": " ", "\u202f": " "})


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if _THOUSANDS.fullmatch(text):
        return int(re.sub(r"\D", "", text))
    if match := _WHOLE_DECIMAL.fullmatch(text):
        return int(match[1])
    return NUMBER_WORDS.get(text)


def _range(folded: str, text: str) -> Count | None:
    match = _RANGE.fullmatch(folded)
    if match is None:
        return None
    low, high = _number(match[1]), _number(match[2])
    if low is None or high is None:
        return None
    if low > high:
        raise CountParseError(
            _("count « {text} » is a range whose end is below its start").format(text=_shape(text))
        )
    return Count(low=low, best=None, high=high)


def _approximate(folded: str, text: str) -> Count | None:
    if match := _ABOUT.fullmatch(folded):
        value = _number(match[1])
        return None if value is None else Count(best=value)
    match = _NOUN.fullmatch(folded)
    if match is None or match[2] not in APPROXIMATE_NOUNS:
        return None
    unit = APPROXIMATE_NOUNS[match[2]]
    if match[1] in ("des", "plusieurs", "quelques") or folded.endswith("s"):
        return Count(low=2 * unit)  # "des dizaines": at least two tens
    return Count(best=unit)


def _at_least(folded: str, text: str) -> Count | None:
    match = _AT_LEAST.fullmatch(folded)
    if match is None:
        return None
    value = _number(match[1] or match[2])
    return None if value is None else Count(low=value)


def _at_most(folded: str, text: str) -> Count | None:
    match = _AT_MOST.fullmatch(folded)
    if match is None:
        return None
    value = _number(match[1])
    return None if value is None else Count(high=value)


def _shape(text: str) -> str:
    stripped = text.strip()
    return stripped if len(stripped) <= 40 else stripped[:37] + "…"
