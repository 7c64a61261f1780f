"""What every reader shares: header recognition, record ids, coordinates, taxonomy look-ups.

Pure functions over cell text; messages name columns and value shapes, never a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache

from civharm.core.hashing import canonical_json_and_sha256, payload_sha256
from civharm.core.i18n import _
from civharm.core.precision import GeoPrecision
from civharm.core.taxonomy import load_taxonomy
from civharm.core.text import fold, fold_key
from civharm.ingest.records import ActorMention, Place, UnreadableFile

_PARENTHESISED = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(header: str) -> str:
    """Key a header is recognised by: accents, case, spacing and '(jj/mm/aaaa)' notes ignored."""
    return fold_key(_PARENTHESISED.sub(" ", header))


def resolve_columns(
    header: list[str],
    aliases: Mapping[str, tuple[str, ...]],
    columns: Mapping[str, str] | None,
    label: str,
) -> dict[str, str]:
    """Map our field names to the file's headers: `columns` first, then the known aliases.

    Raises UnreadableFile when `columns` names a field we do not know or a header the file lacks.
    """
    by_key = {header_key(name): name for name in reversed(header)}
    resolved: dict[str, str] = {}
    for field, their_header in (columns or {}).items():
        if field not in aliases:
            known = ", ".join(sorted(aliases))
            raise UnreadableFile(
                _("Unknown field « {field} » for « {label} »; known fields: {known}.").format(
                    field=field, label=label, known=known
                )
            )
        found = by_key.get(header_key(their_header))
        if found is None:
            raise UnreadableFile(
                _("The file « {label} » has no column « {header} » (for {field}).").format(
                    label=label, header=their_header, field=field
                )
            )
        resolved[field] = found
    taken = set(resolved.values())
    for field, names in aliases.items():
        if field in resolved:
            continue
        for name in names:
            found = by_key.get(header_key(name))
            if found is not None and found not in taken:
                resolved[field] = found
                taken.add(found)
                break
    return resolved


def recognises(aliases: Mapping[str, tuple[str, ...]], needed: int = 2):
    """A header test: True when at least `needed` cells are known aliases of our fields."""
    known = {header_key(name) for names in aliases.values() for name in names}

    def header_test(cells: list[str]) -> bool:
        return sum(header_key(cell) in known for cell in cells if cell) >= needed

    return header_test


class RecordIds:
    """Stable record ids within one file: the source's id, else sha256 of the row (+ '#n')."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def assign(self, own_id: str | None, sha: str) -> tuple[str, str | None]:
        """(record id, warning or None). Identical rows get '#2', '#3'… in file order."""
        base = own_id if own_id else f"sha256:{sha}"
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        if count == 1:
            return base, None
        warning = (
            _("id « {id} » is used by an earlier row too").format(id=own_id) if own_id else None
        )
        return f"{base}#{count}", warning


def row_sha(payload: Mapping[str, str]) -> str:
    return payload_sha256(payload)


def row_json_and_sha(payload: Mapping[str, str]) -> tuple[str, str]:
    """The row's canonical JSON (stored as the original) and its sha256, encoded once."""
    return canonical_json_and_sha256(payload)


def parse_coordinates(
    lat_text: str, lon_text: str
) -> tuple[float | None, float | None, str | None]:
    """(latitude, longitude, warning); bad or out-of-range coordinates are dropped and warned."""
    if not lat_text and not lon_text:
        return None, None, None
    if not lat_text or not lon_text:
        return None, None, _("only one of latitude/longitude is given; coordinates dropped")
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        return (
            None,
            None,
            _coordinates_warning(
                _("coordinates « {latitude}, {longitude} » are not numbers; dropped"),
                lat_text,
                lon_text,
            ),
        )
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return (
            None,
            None,
            _coordinates_warning(
                _("coordinates « {latitude}, {longitude} » are out of range; dropped"),
                lat_text,
                lon_text,
            ),
        )
    if lat == 0 and lon == 0:
        return None, None, _("coordinates 0, 0 are a placeholder, not a place; dropped")
    return lat, lon, None


def _coordinates_warning(template: str, lat_text: str, lon_text: str) -> str:
    return template.format(latitude=lat_text, longitude=lon_text)


def precision_from_place(place: Place) -> GeoPrecision:
    """Best precision the source's own fields support, before any geocoding."""
    if place.latitude is not None or place.name:
        return GeoPrecision.EXACT if place.latitude is not None else GeoPrecision.UNKNOWN
    for name, precision in (
        (place.admin3, GeoPrecision.ADMIN3),
        (place.admin2, GeoPrecision.ADMIN2),
        (place.admin1, GeoPrecision.ADMIN1),
    ):
        if name:
            return precision
    return GeoPrecision.UNKNOWN


@lru_cache(maxsize=4096)
def match_actor(name: str) -> str | None:
    """Taxonomy key of an actor name, cached per distinct name (sources repeat a few names)."""
    return load_taxonomy().match_actor(name)


def actor_mentions(names: str, role: str, separators: str = ";") -> list[ActorMention]:
    """Mentions for a cell that may list several actors ("A; B")."""
    parts = re.split(f"[{re.escape(separators)}]", names) if names else []
    return [
        ActorMention(name=part.strip(), key=match_actor(part.strip()), role=role)  # type: ignore[arg-type]
        for part in parts
        if part.strip()
    ]


@cache
def _term_lookup(taxonomy_part: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for term in getattr(load_taxonomy(), taxonomy_part):
        for text in (term.key, term.key.replace("_", " "), term.fr, term.en):
            lookup.setdefault(fold(text), term.key)
    return lookup


def match_term(text: str, taxonomy_part: str, extra: Mapping[str, str] | None = None) -> str | None:
    """Taxonomy key for a label written in French or English (or the key itself), else None."""
    folded = fold(text)
    if not folded:
        return None
    if extra and folded in extra:
        return extra[folded]
    return _term_lookup(taxonomy_part).get(folded)
