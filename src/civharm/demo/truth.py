"""The hidden truth behind the demo sources: events, generated victims, and provenance.

Tests of linkage and estimation score themselves against it. It holds generated people
only; never print or log their names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from civharm.demo.places import Locality

# Harm types with a true toll in every event (taxonomy keys).
TOLL_HARM_TYPES = (
    "killed",
    "injured",
    "abducted",
    "displaced_households",
    "property_destroyed",
    "livestock_crops_lost",
)

RowKind = Literal["event", "victim", "not_in_truth", "duplicate", "bad_row"]


@dataclass(frozen=True, slots=True)
class TrueEvent:
    event_id: str  # "E0001"
    date: date
    locality: Locality
    actor_key: str  # taxonomy actor key of the main perpetrator
    partner_key: str | None  # an associated actor (e.g. Wagner with FAMa)
    context: str  # taxonomy interaction-context key
    tolls: dict[str, int]  # harm type key -> true number
    community: str  # naming tradition of most victims
    is_large: bool = False

    @property
    def locality_id(self) -> str:
        return self.locality.id


@dataclass(frozen=True, slots=True)
class TrueVictim:
    victim_id: str  # "V00001": one generated person
    event_id: str
    harm_type: Literal["killed", "abducted"]
    given_name: str
    family_name: str  # for Tamasheq/Arab names, with its particle: "Ag Attaher"
    sex: Literal["male", "female"]
    age: int
    tradition: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Where one data row of a source file came from. `row` is spreadsheet-style
    (header = 1; for HXL the hashtag row is 2)."""

    row: int
    kind: RowKind
    event_id: str | None = None
    victim_id: str | None = None
    note: str = ""  # e.g. "impossible date", "negative toll", "re-sent submission"


@dataclass
class SourceFile:
    name: str  # file name inside the demo folder
    format: str  # reader format of civharm.ingest: "acled", "ucdp", "reports", "victims", "hxl"
    encoding: str
    delimiter: str | None  # None for xlsx
    rows: list[SourceRow] = field(default_factory=list)

    def event_ids(self) -> set[str]:
        return {r.event_id for r in self.rows if r.event_id and r.kind in ("event", "victim")}

    def victim_ids(self) -> set[str]:
        return {r.victim_id for r in self.rows if r.victim_id and r.kind == "victim"}

    def deliberate_error_rows(self) -> list[SourceRow]:
        return [r for r in self.rows if r.kind == "bad_row"]

    def duplicate_rows(self) -> list[SourceRow]:
        return [r for r in self.rows if r.kind == "duplicate"]


@dataclass
class DemoTruth:
    seed: int
    scale: float
    out_dir: Path
    events: list[TrueEvent]
    victims: list[TrueVictim]
    sources: dict[str, SourceFile] = field(default_factory=dict)  # file name -> provenance

    def event(self, event_id: str) -> TrueEvent:
        return self._events_by_id()[event_id]

    def victims_of(self, event_id: str) -> list[TrueVictim]:
        return [v for v in self.victims if v.event_id == event_id]

    def _events_by_id(self) -> dict[str, TrueEvent]:
        return {e.event_id: e for e in self.events}

    def path(self, file_name: str) -> Path:
        return self.out_dir / file_name
