"""Read HXL-tagged CSV/XLSX incident tables (hashtag row under, or instead of, the header).

A small own parser of HXL 1.1 tagging conventions: hashtag + attributes in any order,
case- and space-insensitive. Untagged columns stay in the payload but are not read.
HXL has no actor hashtag: perpetrators are read from #group (+perpetrator or +first).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from civharm.core.i18n import _
from civharm.ingest.fields import resolve_columns
from civharm.ingest.incident_fields import EventFields, read_incident_rows
from civharm.ingest.records import RowError, SourceRecord, UnreadableFile
from civharm.ingest.tables import open_table

FORMAT = "hxl"


class HxlTag(NamedTuple):
    hashtag: str  # "#affected", without attributes
    attributes: frozenset[str]  # {"killed"}; order never matters


def parse_tag(text: str) -> HxlTag | None:
    """'#Affected +Killed' -> HxlTag('#affected', {'killed'}); None when not a hashtag."""
    compact = "".join(text.split()).lower()
    if not compact.startswith("#") or len(compact) < 2:
        return None
    hashtag, *attributes = compact.split("+")
    return HxlTag(hashtag, frozenset(attr for attr in attributes if attr))


# Our field -> (hashtag, attributes that must be present, attributes that must be absent).
# Most specific first: "#date+end" must not be read as the start date.
FIELD_TAGS: tuple[tuple[str, str, frozenset[str], frozenset[str]], ...] = tuple(
    (field, tag, frozenset(required), frozenset(excluded))
    for field, tag, required, excluded in (
        ("id", "#event", {"id"}, set()),
        ("id", "#event", {"code"}, set()),
        ("id", "#meta", {"id"}, set()),
        ("date_end", "#date", {"end"}, set()),
        ("date", "#date", {"start"}, set()),
        ("date", "#date", {"occurred"}, set()),
        ("date", "#date", set(), {"end", "reported", "updated"}),
        ("admin1", "#adm1", {"name"}, set()),
        ("admin1", "#adm1", set(), {"code"}),
        ("admin1_pcode", "#adm1", {"code"}, set()),
        ("admin2", "#adm2", {"name"}, set()),
        ("admin2", "#adm2", set(), {"code"}),
        ("admin2_pcode", "#adm2", {"code"}, set()),
        ("admin3", "#adm3", {"name"}, set()),
        ("admin3", "#adm3", set(), {"code"}),
        ("admin3_pcode", "#adm3", {"code"}, set()),
        ("place", "#loc", {"name"}, set()),
        ("place", "#loc", set(), {"code", "type"}),
        ("latitude", "#geo", {"lat"}, set()),
        ("longitude", "#geo", {"lon"}, set()),
        ("killed", "#affected", {"killed"}, set()),
        ("injured", "#affected", {"injured"}, set()),
        ("abducted", "#affected", {"abducted"}, set()),
        ("abducted", "#affected", {"missing"}, set()),
        ("displaced_households", "#affected", {"displaced", "households"}, set()),
        ("displaced_households", "#affected", {"idps", "households"}, set()),
        ("perpetrator", "#group", {"perpetrator"}, set()),
        ("perpetrator", "#group", {"first"}, {"assoc"}),
        ("perpetrator", "#org", {"perpetrator"}, set()),
        ("context", "#event", {"type"}, set()),
        ("description", "#description", set(), set()),
        ("description", "#event", {"description"}, set()),
        ("source", "#meta", {"source"}, set()),
        ("language", "#meta", {"lang"}, set()),
    )
)


# Field names `columns=` may use (values unused: overrides name headers, not hashtags).
HXL_FIELDS: dict[str, tuple[str, ...]] = {field: () for field, *_ in FIELD_TAGS}


def map_tags(tags: list[str], header: list[str]) -> dict[str, str]:
    """Our field -> header of the first column whose hashtag fits (most specific rule first)."""
    parsed = [(parse_tag(tag), name) for tag, name in zip(tags, header, strict=False)]
    resolved: dict[str, str] = {}
    taken: set[str] = set()
    for field, hashtag, required, excluded in FIELD_TAGS:
        if field in resolved:
            continue
        for tag, name in parsed:
            if tag is None or name in taken or tag.hashtag != hashtag:
                continue
            if required <= tag.attributes and not excluded & tag.attributes:
                resolved[field] = name
                taken.add(name)
                break
    return resolved


def read_hxl(
    path: str | Path, *, columns: dict[str, str] | None = None, file_label: str | None = None
) -> Iterator[SourceRecord | RowError]:
    """Records of a HXL-tagged table. `columns` (our field -> header) overrides the hashtags."""
    table = open_table(
        path, header_test=lambda cells: True, expected=_("a HXL hashtag row"), file_label=file_label
    )
    if table.hxl_tags is None:
        raise UnreadableFile(
            _(
                "The file « {label} » has no HXL hashtag row (#date, #adm1+name…) under its header."
            ).format(label=table.label)
        )
    overrides = resolve_columns(table.header, HXL_FIELDS, columns, table.label) if columns else {}
    fields = EventFields(map_tags(table.hxl_tags, table.header) | overrides)
    if "date" not in fields.columns and "place" not in fields.columns:
        raise UnreadableFile(
            _("The file « {label} » has neither a #date nor a #loc/#adm column.").format(
                label=table.label
            )
        )
    yield from read_incident_rows(FORMAT, table, fields)
