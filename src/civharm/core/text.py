"""Text normalisation shared by the gazetteer, the importers and (later) linkage.

Pure functions; they never log the text they are given.
"""

from __future__ import annotations

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-_'’`.,/()]+")


def fold(text: str) -> str:
    """Accent- and case-insensitive form: 'Ségou' -> 'segou', 'Ké-Macina' -> 'ke macina'."""
    if not text.isascii():  # ASCII has no accents to strip: most names and places in lists
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", text.casefold()).strip()


def fold_key(text: str) -> str:
    """Like fold() but without spaces: 'Ké-Macina' -> 'kemacina' (for header and name keys)."""
    return fold(text).replace(" ", "")
