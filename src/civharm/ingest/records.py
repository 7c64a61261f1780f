"""The one normalised record type every reader yields, and the row-level error type.

A SourceRecord never drops what the source said: `payload` keeps the row exactly as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from civharm.core.precision import Count, DatePrecision, GeoPrecision

RecordKind = Literal["event", "victim"]


class UnreadableFile(Exception):
    """The whole file cannot be read (binary, empty, no recognisable header).

    str(exc) is one sentence for a person, naming the file; never a traceback.
    """


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected row (or cell). `row` counts the header as row 1, like a spreadsheet."""

    file: str
    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class Place:
    """Where, as the source said it, completed by the geocoder (P-codes, admin names)."""

    name: str | None = None  # locality as written by the source
    admin1: str | None = None  # region name as written or resolved
    admin2: str | None = None  # cercle
    admin3: str | None = None  # commune
    admin1_pcode: str | None = None
    admin2_pcode: str | None = None
    admin3_pcode: str | None = None
    locality_id: str | None = None  # gazetteer id (e.g. "geonames:2453348")
    latitude: float | None = None
    longitude: float | None = None
    precision: GeoPrecision = GeoPrecision.UNKNOWN
    geocode_confidence: float | None = None  # 0..1, None when not geocoded by name
    outside_country: bool = False  # coordinates given but outside the country pack's borders


@dataclass(frozen=True, slots=True)
class ActorMention:
    """An actor named by the source; `key` is the taxonomy key when recognised."""

    name: str
    key: str | None
    role: Literal["perpetrator", "target", "other"] = "perpetrator"


@dataclass(slots=True)
class Victim:
    """The person-level part of a victim-list row. Holds identities: never log or print it."""

    full_name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    father_name: str | None = None  # as the list wrote it: "Hamadoun", "fils de Hamadoun"
    sex: Literal["female", "male", "unknown"] = "unknown"
    age: int | None = None
    age_band: str | None = None  # e.g. "0-17", "18-59", "60+"
    civilian_status: Literal["civilian", "combatant", "unknown"] = "unknown"
    community: str | None = None
    contact: str | None = None
    harm_type: str | None = None  # taxonomy key, e.g. "killed"


@dataclass(slots=True)
class SourceRecord:
    """One row of one source, normalised. Idempotency key: (source, record_id)."""

    kind: RecordKind
    source_format: str  # "acled", "ucdp", "hxl", "reports", "victims"
    record_id: str  # the source's own id, or "sha256:<hex>" of the payload when it has none
    row: int  # spreadsheet-style row number in the file (header = 1)
    payload: dict[str, str]  # the row exactly as read: header -> cell text
    payload_sha256: str
    date_start: date | None = None
    date_end: date | None = None
    date_precision: DatePrecision = DatePrecision.UNKNOWN
    place: Place = field(default_factory=Place)
    actors: list[ActorMention] = field(default_factory=list)
    interaction_context: str | None = None  # taxonomy key
    harm: dict[str, Count] = field(default_factory=dict)  # harm type key -> toll
    description: str = ""
    source_reference: str = ""  # the source's own citation (ACLED "source", UCDP "source_office")
    language: str | None = None
    victim: Victim | None = None
    warnings: list[str] = field(default_factory=list)  # kept row, but something to check
    # canonical_json(payload) when the reader already computed it for the hash ("" = not yet)
    payload_json: str = ""
