"""Turn one incident row, already mapped to our field names, into a SourceRecord or a RowError.

Shared by the report-template and HXL readers. Rules: a present but unreadable date or count
rejects the row (fix the file and import again: ids are stable); bad coordinates are
dropped with a warning (the place name still locates the event); no date and no place rejects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from civharm.core.i18n import _
from civharm.core.precision import Count, DatePrecision
from civharm.core.text import fold
from civharm.ingest.counts import CountParseError, parse_count
from civharm.ingest.dates import DateParseError, DateRange, parse_date, widen
from civharm.ingest.fields import (
    RecordIds,
    actor_mentions,
    match_term,
    parse_coordinates,
    precision_from_place,
    row_json_and_sha,
)
from civharm.ingest.records import Place, RowError, SourceRecord
from civharm.ingest.tables import Table

HARM_FIELDS = (
    "killed",
    "injured",
    "abducted",
    "sexual_violence",
    "arbitrary_detention",
    "displaced_households",
    "property_destroyed",
    "livestock_crops_lost",
)
PRECISION_WORDS = {
    "jour": DatePrecision.DAY, "day": DatePrecision.DAY, "exacte": DatePrecision.DAY,
    "semaine": DatePrecision.WEEK, "week": DatePrecision.WEEK,
    "mois": DatePrecision.MONTH, "month": DatePrecision.MONTH,
    "annee": DatePrecision.YEAR, "an": DatePrecision.YEAR, "year": DatePrecision.YEAR,
    "inconnue": DatePrecision.UNKNOWN, "unknown": DatePrecision.UNKNOWN,
}  # fmt: skip
LANGUAGES = {
    "fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en", "english": "en",
    "bm": "bm", "bambara": "bm", "bamanankan": "bm", "ff": "ff", "peul": "ff", "fulfulde": "ff",
    "pulaar": "ff", "ar": "ar", "arabe": "ar", "arabic": "ar", "tamasheq": "tmh", "songhai": "ses",
    "songhay": "ses", "dogon": "dts",
}  # fmt: skip
CONTEXT_SYNONYMS = {
    "frappe aerienne": "air_drone_strike", "frappe de drone": "air_drone_strike",
    "drone": "air_drone_strike", "air strike": "air_drone_strike", "airstrike": "air_drone_strike",
    "ied": "ied_landmine", "eei": "ied_landmine", "mine": "ied_landmine",
    "engin explosif": "ied_landmine", "embuscade": "ambush", "enlevement": "abduction",
    "kidnapping": "abduction", "pillage": "looting_extortion", "extorsion": "looting_extortion",
    "arrestation": "arrest_detention", "detention": "arrest_detention",
    "attaque de village": "attack_on_village", "attaque village": "attack_on_village",
    "tirs croises": "clash_crossfire", "crossfire": "clash_crossfire",
    "affrontements": "clash_crossfire", "checkpoint": "checkpoint", "patrouille": "patrol",
}  # fmt: skip


class FieldProblem(NamedTuple):
    """Why a field rejects its row: our field name and a sentence for a person."""

    field: str
    message: str


@dataclass(frozen=True)
class EventFields:
    """Which header holds each of our fields (absent fields are simply not in `columns`)."""

    columns: dict[str, str]

    def cell(self, payload: dict[str, str], field: str) -> str:
        header = self.columns.get(field)
        return payload.get(header, "") if header else ""

    def header(self, field: str) -> str:
        return self.columns.get(field, field)


def read_incident_rows(
    source_format: str, table: Table, fields: EventFields
) -> Iterator[SourceRecord | RowError]:
    ids = RecordIds()
    for item in table.rows():
        if isinstance(item, RowError):
            yield item
            continue
        number, payload = item
        yield event_record(source_format, table.label, number, payload, fields, ids)


def event_record(
    source_format: str,
    label: str,
    number: int,
    payload: dict[str, str],
    fields: EventFields,
    ids: RecordIds,
) -> SourceRecord | RowError:
    """One row -> a SourceRecord, or a RowError naming the row, the column and the problem."""
    dates = _dates(payload, fields)
    if isinstance(dates, FieldProblem):
        return RowError(label, number, fields.header(dates.field), dates.message)
    harm = _harm(payload, fields)
    if isinstance(harm, FieldProblem):
        return RowError(label, number, fields.header(harm.field), harm.message)
    place, warnings = _place(payload, fields)
    if dates is None and not _has_place(place):
        return RowError(label, number, None, _("the row has neither a date nor a place"))
    payload_json, sha = row_json_and_sha(payload)
    record_id, id_warning = ids.assign(fields.cell(payload, "id") or None, sha)
    context, context_warning = _context(fields.cell(payload, "context"))
    record = SourceRecord(
        kind="event",
        source_format=source_format,
        record_id=record_id,
        row=number,
        payload=payload,
        payload_sha256=sha,
        payload_json=payload_json,
        place=place,
        actors=actor_mentions(fields.cell(payload, "perpetrator"), "perpetrator", ";,"),
        interaction_context=context,
        harm=harm,
        description=fields.cell(payload, "description"),
        source_reference=fields.cell(payload, "source"),
        language=_language(fields.cell(payload, "language")),
    )
    if isinstance(dates, DateRange):
        record.date_start, record.date_end = dates.start, dates.end
        record.date_precision = dates.precision
    record.warnings.extend(w for w in (*warnings, id_warning, context_warning) if w)
    return record


def _has_place(place: Place) -> bool:
    return any(
        (place.name, place.admin1, place.admin2, place.admin3, place.admin1_pcode, place.latitude)
    )


def _dates(payload: dict[str, str], fields: EventFields) -> DateRange | tuple[str, str] | None:
    start_text, end_text = fields.cell(payload, "date"), fields.cell(payload, "date_end")
    if not start_text and not end_text:
        return None
    try:
        start = parse_date(start_text or end_text)
    except DateParseError as exc:
        return FieldProblem("date" if start_text else "date_end", str(exc))
    precision_text = fold(fields.cell(payload, "date_precision"))
    if precision_text:
        if precision_text not in PRECISION_WORDS:
            return FieldProblem(
                "date_precision",
                _("« {text} » is not jour/semaine/mois/année").format(text=precision_text),
            )
        start = widen(start, PRECISION_WORDS[precision_text])
    if not end_text or not start_text:
        return start
    try:
        end = parse_date(end_text)
    except DateParseError as exc:
        return FieldProblem("date_end", str(exc))
    if end.end < start.start:
        return FieldProblem(
            "date_end",
            _("end date « {end} » is before the start date « {start} »").format(
                end=end_text, start=start_text
            ),
        )
    if end.end == start.end:
        return start
    return DateRange(start.start, end.end, span_precision((end.end - start.start).days))


def span_precision(days: int) -> DatePrecision:
    """Precision of an event known only to lie within a span of `days` days."""
    if days <= 0:
        return DatePrecision.DAY
    if days <= 7:
        return DatePrecision.WEEK
    return DatePrecision.MONTH if days <= 31 else DatePrecision.YEAR


def _harm(payload: dict[str, str], fields: EventFields) -> dict[str, Count] | FieldProblem:
    harm: dict[str, Count] = {}
    for field in HARM_FIELDS:
        text = fields.cell(payload, field)
        if not text:
            continue
        try:
            harm[field] = parse_count(text)
        except CountParseError as exc:
            return FieldProblem(field, str(exc))
    return harm


def _place(payload: dict[str, str], fields: EventFields) -> tuple[Place, list[str]]:
    lat, lon, warning = parse_coordinates(
        fields.cell(payload, "latitude"), fields.cell(payload, "longitude")
    )
    place = Place(
        name=fields.cell(payload, "place") or None,
        admin1=fields.cell(payload, "admin1") or None,
        admin2=fields.cell(payload, "admin2") or None,
        admin3=fields.cell(payload, "admin3") or None,
        admin1_pcode=fields.cell(payload, "admin1_pcode") or None,
        admin2_pcode=fields.cell(payload, "admin2_pcode") or None,
        admin3_pcode=fields.cell(payload, "admin3_pcode") or None,
        latitude=lat,
        longitude=lon,
    )
    place.precision = precision_from_place(place)
    return place, [warning] if warning else []


def _context(text: str) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    key = match_term(text, "interaction_contexts", CONTEXT_SYNONYMS)
    if key is None:
        return (
            "other",
            _("interaction context « {text} » is not in the taxonomy; read as « other »").format(
                text=text[:60]
            ),
        )
    return key, None


def _language(text: str) -> str | None:
    folded = fold(text)
    return LANGUAGES.get(folded, folded or None)
