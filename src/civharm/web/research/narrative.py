"""A revealed narrative cut into segments at the coded excerpts' offsets, so that the page can
highlight them and the browser can turn a selection back into character offsets; and the
server-side search that places a passage typed (or selected) by a coder in the narrative.

Works on text already revealed through the audited service; never decrypts, stores or logs it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class Segment:
    """narrative[start:end], and the labels of the themes coded on it (none: plain text)."""

    start: int
    end: int
    text: str
    themes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


def segments(narrative: str, spans: Iterable[Span]) -> list[Segment]:
    """Cut the narrative at every excerpt boundary; overlapping excerpts give a segment
    several themes. Offsets outside the narrative are clipped, empty spans ignored."""
    length = len(narrative)
    kept = [
        Span(max(0, span.start), min(length, span.end), span.label)
        for span in spans
        if min(length, span.end) > max(0, span.start)
    ]
    cuts = sorted({0, length, *(s.start for s in kept), *(s.end for s in kept)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        labels = [s.label for s in kept if s.start <= start and end <= s.end]
        pieces.append(Segment(start, end, narrative[start:end], sorted(set(labels))))
    return pieces


def locate_passage(narrative: str, passage: str, near: int | None = None) -> tuple[int, int] | None:
    """(start, end) of the passage in the narrative, or None when it is not there.

    Exact text first, then the same words with any spacing (a pasted passage loses line breaks).
    Of several occurrences, the one nearest to `near` (the offset the browser sent) wins.
    """
    wanted = passage.strip()
    if not wanted:
        return None
    words = [re.escape(word) for word in wanted.split()]
    pattern = re.compile(r"\s+".join(words))
    found = [(m.start(), m.end()) for m in re.finditer(re.escape(wanted), narrative)]
    if not found:
        found = [(m.start(), m.end()) for m in pattern.finditer(narrative)]
    if not found:
        return None
    if near is None:
        return found[0]
    return min(found, key=lambda place: abs(place[0] - near))


def resolve_offsets(
    narrative: str, start: int | None, end: int | None, passage: str
) -> tuple[int, int] | None:
    """The offsets to code. Browser offsets are trusted only when they hold the passage the
    browser saw (line endings and markup can shift them); otherwise the passage is searched."""
    if start is not None and end is not None and 0 <= start < end <= len(narrative):
        selected = narrative[start:end]
        if not passage.strip() or _same_words(selected, passage):
            return start, end
    return locate_passage(narrative, passage, near=start)


def _same_words(left: str, right: str) -> bool:
    return left.split() == right.split()


def excerpt_preview(narrative: str, start: int, end: int, limit: int = 300) -> str:
    """The excerpt's words (shortened for a list), for a page where the narrative is shown."""
    text = " ".join(narrative[start:end].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
