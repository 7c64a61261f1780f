"""Records of an import preview as table rows: what the register will store, in words.

Victim rows show no identity at all: the name and contact columns are replaced by a dash.
"""

from __future__ import annotations

from django.utils.translation import get_language

from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import CIVILIAN_STATUSES, DATE_PRECISIONS, SEXES
from civharm.incidents.services.import_preview import count_text
from civharm.ingest.records import Place, SourceRecord

HIDDEN = "—"


def _dates(record: SourceRecord) -> str:
    if record.date_start is None:
        return "?"
    start = record.date_start.isoformat()
    if record.date_end and record.date_end != record.date_start:
        start = f"{start} → {record.date_end.isoformat()}"
    precision = dict(DATE_PRECISIONS).get(str(record.date_precision), record.date_precision)
    return f"{start} ({precision})"


def _place(place: Place) -> str:
    parts = [place.name, place.admin3, place.admin2, place.admin1]
    text = ", ".join(dict.fromkeys(part for part in parts if part)) or "?"
    codes = place.admin2_pcode or place.admin1_pcode
    return f"{text} [{codes}]" if codes else text


def _labels(part: str) -> dict[str, str]:
    return dict(load_taxonomy().choices(part, get_language() or "fr"))


def event_rows(records: list[SourceRecord]) -> list[dict[str, object]]:
    actors, contexts, harms = (
        _labels("actors"),
        _labels("interaction_contexts"),
        _labels("harm_types"),
    )
    return [
        {
            "row": record.row,
            "record_id": record.record_id[:40],
            "date": _dates(record),
            "place": _place(record.place),
            "perpetrators": ", ".join(
                actors.get(a.key or "", a.name) for a in record.actors if a.role == "perpetrator"
            ),
            "context": contexts.get(record.interaction_context or "", ""),
            "harm": ", ".join(f"{harms.get(k, k)} {count_text(c)}" for k, c in record.harm.items()),
            "description": record.description[:160],
            "warnings": record.warnings,
        }
        for record in records
    ]


def victim_rows(records: list[SourceRecord]) -> list[dict[str, object]]:
    harms = _labels("harm_types")
    rows = []
    for record in records:
        victim = record.victim
        rows.append(
            {
                "row": record.row,
                "name": HIDDEN,
                "contact": HIDDEN,
                "sex": dict(SEXES).get(victim.sex, victim.sex) if victim else "",
                "age": (
                    victim.age
                    if victim and victim.age is not None
                    else (victim.age_band if victim else "")
                )
                or "",
                "civilian_status": (
                    dict(CIVILIAN_STATUSES).get(victim.civilian_status, victim.civilian_status)
                    if victim
                    else ""
                ),
                "harm": harms.get(victim.harm_type or "", "") if victim else "",
                "date": _dates(record),
                "place": _place(record.place),
                "warnings": record.warnings,
            }
        )
    return rows
