"""Typed shapes of the API's answers (they make the OpenAPI schema exact).

No schema here has a field for a person's name, contact or community, nor a raw payload.
"""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, object]]


class PlaceOut(Schema):
    name: str
    locality_id: str
    admin1_pcode: str
    admin1_name: str
    admin2_pcode: str
    admin2_name: str
    admin3_pcode: str
    admin3_name: str
    latitude: float | None
    longitude: float | None
    precision: str


class PerpetratorOut(Schema):
    actor: str  # taxonomy key
    category: str
    label_fr: str
    label_en: str
    attribution_status: str


class HarmCountOut(Schema):
    harm_type: str
    low: int | None
    best: int | None
    high: int | None


class SourceRecordOut(Schema):
    source: str
    record_id: str


class IncidentOut(Schema):
    id: int
    code: str
    merged_into: str | None
    date_start: date | None
    date_end: date | None
    date_precision: str
    place: PlaceOut
    perpetrators: list[PerpetratorOut]
    interaction_context: str
    counts: list[HarmCountOut]
    assessment_grade: str
    review_status: str
    source_records: list[SourceRecordOut]


class IncidentPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[IncidentOut]


class ReportOut(Schema):
    id: int
    source: str
    source_type: str
    organisation: str
    licence: str
    record_id: str
    kind: str
    source_format: str
    payload_sha256: str  # proves which original this is; empty for personal-data sources
    received_at: datetime
    language: str
    reliability: str
    credibility: str
    date_start: date | None
    date_end: date | None
    date_precision: str
    place: PlaceOut
    interaction_context: str
    counts: list[HarmCountOut]


class PersonOut(Schema):
    pseudonym: str
    sex: str
    age_band: str
    civilian_status: str
    harm_type: str


class RegionAggregateOut(Schema):
    admin1_pcode: str | None
    admin1_name: str
    incidents: int | None  # None when the cell was suppressed (1 to threshold - 1)
    killed_best: int | None
    suppressed: bool


class RegionAggregatesOut(Schema):
    threshold: int
    regions: list[RegionAggregateOut]


class TermOut(Schema):
    key: str
    fr: str
    en: str
    category: str | None


class TaxonomiesOut(Schema):
    pack: str
    harm_types: list[TermOut]
    interaction_contexts: list[TermOut]
    actor_categories: list[TermOut]
    actors: list[TermOut]
    attribution_statuses: list[TermOut]
    source_types: list[TermOut]
    assessment_grades: list[TermOut]
    review_statuses: list[TermOut]


class TokenIn(Schema):
    label: str = Field("", max_length=100)
    expires_days: int = Field(90, ge=1, le=365)


class TokenOut(Schema):
    token: str  # shown once: only its hash is kept
    prefix: str
    expires_at: datetime | None
