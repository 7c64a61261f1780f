"""Read ACLED export CSVs (current schema and the old 30-column one) into SourceRecords.

ACLED's `fatalities` counts everyone killed; only events targeting civilians count as
civilian deaths, so other events keep the figure as an upper bound, never as a toll.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from civharm.core.i18n import _
from civharm.core.precision import Count, DatePrecision, GeoPrecision
from civharm.core.text import fold
from civharm.ingest.counts import CountParseError, parse_count
from civharm.ingest.dates import DateParseError, parse_date, widen
from civharm.ingest.fields import (
    RecordIds,
    actor_mentions,
    header_key,
    parse_coordinates,
    row_json_and_sha,
)
from civharm.ingest.records import ActorMention, Place, RowError, SourceRecord, UnreadableFile
from civharm.ingest.tables import open_table

FORMAT = "acled"
REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1", "fatalities")
# Month precision widens event_date to the whole month; week precision keeps ACLED's one
# date (the week around it is not stated), flagged by the precision.
TIME_PRECISION = {"1": DatePrecision.DAY, "2": DatePrecision.WEEK, "3": DatePrecision.MONTH}
GEO_PRECISION = {"1": GeoPrecision.EXACT, "2": GeoPrecision.NEAR, "3": GeoPrecision.ADMIN2}
CIVILIAN_INTER_CODE = "7"

# Current-schema sub_event_type -> interaction context key (taxonomies.json).
SUB_EVENT_CONTEXT = {
    "air/drone strike": "air_drone_strike",
    "remote explosive/landmine/ied": "ied_landmine",
    "shelling/artillery/missile attack": "shelling",
    "grenade": "ied_landmine",
    "suicide bomb": "ied_landmine",
    "abduction/forced disappearance": "abduction",
    "looting/property destruction": "looting_extortion",
    "armed clash": "clash_crossfire",
    "government regains territory": "clash_crossfire",
    "non-state actor overtakes territory": "clash_crossfire",
    "arrests": "arrest_detention",
}
_NOTES_CONTEXT = (  # first match wins; applied to the folded notes of events with no sub-type
    (
        re.compile(r"\b(air ?strikes?|drones?|helicopters?|aircraft|bombed|bombing)\b"),
        "air_drone_strike",
    ),
    (re.compile(r"\b(ied|ieds|landmines?|mines?|explosive devices?)\b"), "ied_landmine"),
    (re.compile(r"\b(shell(s|ed|ing)?|mortars?|rockets?|artillery)\b"), "shelling"),
    (re.compile(r"\b(abduct\w*|kidnap\w*|disappear\w*)\b"), "abduction"),
    (
        re.compile(r"\b(loot\w*|extort\w*|rob(bed|bery|beries)?|stole|steal\w*)\b"),
        "looting_extortion",
    ),
    (re.compile(r"\b(arrest\w*|detain\w*|detention)\b"), "arrest_detention"),
    (re.compile(r"\bmarkets?\b"), "market_attack"),
    (re.compile(r"\bvillages?\b"), "attack_on_village"),
)
_VILLAGE = re.compile(r"\bvillages?\b")
_MARKET = re.compile(r"\bmarkets?\b")


def _unknown_civilian_share() -> str:
    return _(
        "ACLED fatalities count everyone killed; how many were civilians is unknown "
        "(kept as an upper bound only)"
    )


def read_acled(
    path: str | Path, *, columns: dict[str, str] | None = None, file_label: str | None = None
) -> Iterator[SourceRecord | RowError]:
    """Records of an ACLED export (either schema). `columns` maps ACLED names to other headers."""
    table = open_table(
        path,
        header_test=_is_acled_header,
        expected=_("ACLED columns such as event_id_cnty, event_date, event_type, fatalities"),
        file_label=file_label,
    )
    names = _column_names(table.header, columns, table.label)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UnreadableFile(
            _("The file « {label} » lacks the ACLED column(s) {columns}.").format(
                label=table.label, columns=", ".join(missing)
            )
        )
    ids = RecordIds()
    for item in table.rows():
        if isinstance(item, RowError):
            yield item
            continue
        number, payload = item
        cells = {name: payload[header] for name, header in names.items()}
        yield _record(table.label, number, payload, cells, ids)


def _is_acled_header(cells: list[str]) -> bool:
    keys = {header_key(cell) for cell in cells}
    return {"eventidcnty", "eventdate"} <= keys or {"eventdate", "fatalities", "actor1"} <= keys


def _column_names(
    header: list[str], columns: Mapping[str, str] | None, label: str
) -> dict[str, str]:
    """ACLED name -> header in this file (ACLED headers are lower-case names; `columns` wins)."""
    resolved = {name.strip().lower(): name for name in header}
    by_key = {header_key(name): name for name in header}
    for ours, theirs in (columns or {}).items():
        if header_key(theirs) not in by_key:
            raise UnreadableFile(
                _("The file « {label} » has no column « {header} » (for {field}).").format(
                    label=label, header=theirs, field=ours
                )
            )
        resolved[ours] = by_key[header_key(theirs)]
    return resolved


def _record(
    label: str, number: int, payload: dict[str, str], cells: dict[str, str], ids: RecordIds
) -> SourceRecord | RowError:
    try:
        dates = widen(parse_date(cells["event_date"]), _time_precision(cells))
    except DateParseError as exc:
        return RowError(label, number, "event_date", str(exc))
    try:
        fatalities = parse_count(cells["fatalities"])
    except CountParseError as exc:
        return RowError(label, number, "fatalities", str(exc))
    payload_json, sha = row_json_and_sha(payload)
    record_id, id_warning = ids.assign(cells["event_id_cnty"], sha)
    record = SourceRecord(
        kind="event",
        source_format=FORMAT,
        record_id=record_id,
        row=number,
        payload=payload,
        payload_sha256=sha,
        payload_json=payload_json,
        date_start=dates.start,
        date_end=dates.end,
        date_precision=dates.precision,
        place=_place(cells),
        actors=_actors(cells),
        interaction_context=interaction_context(cells),
        description=cells.get("notes", ""),
        source_reference=cells.get("source", ""),
        language="en",
    )
    _add_harm(record, cells, fatalities)
    record.warnings.extend(w for w in (id_warning, _coordinate_warning(cells)) if w)
    return record


def _time_precision(cells: dict[str, str]) -> DatePrecision:
    return TIME_PRECISION.get(cells.get("time_precision", "1"), DatePrecision.DAY)


def _place(cells: dict[str, str]) -> Place:
    lat, lon, _warning = parse_coordinates(cells.get("latitude", ""), cells.get("longitude", ""))
    return Place(
        name=cells.get("location") or None,
        admin1=cells.get("admin1") or None,
        admin2=cells.get("admin2") or None,
        admin3=cells.get("admin3") or None,
        latitude=lat,
        longitude=lon,
        precision=GEO_PRECISION.get(cells.get("geo_precision", ""), GeoPrecision.UNKNOWN),
    )


def _coordinate_warning(cells: dict[str, str]) -> str | None:
    return parse_coordinates(cells.get("latitude", ""), cells.get("longitude", ""))[2]


def targets_civilians(cells: Mapping[str, str]) -> bool:
    """Whether ACLED codes the event as targeting civilians (either schema)."""
    if cells.get("civilian_targeting", "").strip().lower() == "civilian targeting":
        return True
    if cells.get("event_type", "").strip().lower() == "violence against civilians":
        return True
    if cells.get("inter2", "").strip() == CIVILIAN_INTER_CODE:
        return True
    return _is_civilians(cells.get("actor2", ""))


def _is_civilians(actor: str) -> bool:
    return actor.strip().lower().startswith("civilians")


def _add_harm(record: SourceRecord, cells: dict[str, str], fatalities: Count) -> None:
    if fatalities.best is None or targets_civilians(cells):
        record.harm["killed"] = fatalities
    else:
        record.harm["killed"] = Count(low=0, best=None, high=fatalities.best)
        if fatalities.best:
            record.warnings.append(_unknown_civilian_share())


def _actors(cells: dict[str, str]) -> list[ActorMention]:
    """actor1 is the alleged perpetrator; civilians are targets; other sides of a battle are
    perpetrators too (crossfire); associated actors keep their side's role, or 'other'."""
    mentions: list[ActorMention] = []
    for actor_field, assoc_field, inter_field, default_role in (
        ("actor1", "assoc_actor_1", "inter1", "perpetrator"),
        ("actor2", "assoc_actor_2", "inter2", "perpetrator"),
    ):
        name = cells.get(actor_field, "")
        role = _role(name, cells.get(inter_field, ""), default_role)
        mentions.extend(actor_mentions(name, role))
        mentions.extend(
            actor_mentions(cells.get(assoc_field, ""), "target" if role == "target" else "other")
        )
    return mentions


def _role(name: str, inter: str, default: str) -> str:
    if _is_civilians(name) or inter.strip() in (CIVILIAN_INTER_CODE, "Civilians"):
        return "target"
    lowered = name.strip().lower()
    if lowered.startswith(("protesters", "rioters")):
        return "other"
    return default


def interaction_context(cells: Mapping[str, str]) -> str:
    """Interaction context key from sub_event_type (current schema) or event type and notes."""
    sub_event = cells.get("sub_event_type", "").strip().lower()
    if sub_event in SUB_EVENT_CONTEXT:
        return SUB_EVENT_CONTEXT[sub_event]
    notes = fold(cells.get("notes", ""))
    if sub_event == "attack":
        return _attack_context(notes)
    event_type = cells.get("event_type", "").strip().lower()
    if sub_event or not event_type.startswith(("battle", "remote violence", "violence against")):
        return "other"
    if event_type.startswith("battle"):
        return "clash_crossfire"
    return next((key for pattern, key in _NOTES_CONTEXT if pattern.search(notes)), "other")


def _attack_context(notes: str) -> str:
    if _MARKET.search(notes):
        return "market_attack"
    if _VILLAGE.search(notes):
        return "attack_on_village"
    return "other"
