"""Turn normalised SourceRecords into register rows (Report, Incident, Person…), set-based.

Called inside one transaction per batch. Existing (source, record_id) pairs are skipped, which
makes every import idempotent and resumable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from civharm.core.gazetteer import Gazetteer
from civharm.core.hashing import canonical_json
from civharm.core.protection import new_pseudonym
from civharm.core.taxonomy import load_taxonomy
from civharm.incidents.models import (
    Actor,
    HarmCount,
    ImportRun,
    Incident,
    IncidentPerpetrator,
    Person,
    Report,
    VictimRecord,
)
from civharm.incidents.protection import field_cipher
from civharm.incidents.services import bulk
from civharm.incidents.services.name_words import keep_words_of
from civharm.ingest.records import SourceRecord

PCODE, LOCALITY_ID, LANGUAGE = 16, 32, 16  # column lengths in models.py


@dataclass
class PreparedEvents:
    """Event records as register rows, column by column, minus what only the writing
    transaction knows (ids and the timestamp, added when written).

    Built where the file is read (possibly a child process, see importing.py). Plain lists of
    plain tuples: they cross the pipe to the writing process at half the pickling cost of a
    NamedTuple an event.
    """

    record_ids: list[str] = field(default_factory=list)
    incidents: list[tuple[object, ...]] = field(default_factory=list)  # INCIDENT_FIELDS[3:-1]
    reports: list[tuple[object, ...]] = field(default_factory=list)  # REPORT_FIELDS[3:]
    # (harm type, low, best, high) of each known toll; sorted keys of alleged perpetrators
    harm: list[tuple[tuple[object, ...], ...]] = field(default_factory=list)
    perpetrators: list[tuple[str, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.record_ids)

    def only(self, positions: list[int]) -> PreparedEvents:
        """The events at `positions`, in that order."""

        def pick(column: list[Any]) -> list[Any]:
            return [column[i] for i in positions]

        return PreparedEvents(
            pick(self.record_ids),
            pick(self.incidents),
            pick(self.reports),
            pick(self.harm),
            pick(self.perpetrators),
        )


def _existing_record_ids(run: ImportRun, record_ids: set[str]) -> set[str]:
    """The ones of `record_ids` this run's source already has (plain SQL: the ORM's per-value
    processing of a 2,000-value IN list cost more than the query)."""
    return bulk.existing_values(Report, "record_id", {"source": run.source_id}, record_ids)


def _fresh_positions(run: ImportRun, record_ids: list[str]) -> list[int]:
    """Positions of the record ids not yet in the register (nor earlier in the list)."""
    existing = _existing_record_ids(run, set(record_ids))
    fresh: list[int] = []
    for position, record_id in enumerate(record_ids):
        if record_id not in existing:
            existing.add(record_id)
            fresh.append(position)
    return fresh


def _not_yet_stored(run: ImportRun, records: list[SourceRecord]) -> list[SourceRecord]:
    """Drop records already in the register (and repeats in the batch)."""
    return [records[i] for i in _fresh_positions(run, [r.record_id for r in records])]


@cache
def _canonical_admin_names() -> dict[str, str]:
    """P-code -> the pack's name, so 'Segou', 'SEGOU' and 'Ségou' are stored as one region."""
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    names = dict(gazetteer.admin1_units())
    names.update({pcode: name for pcode, name, _region in gazetteer.admin2_units()})
    return names


PLACE_DATE_FIELDS = (
    "admin1_pcode",
    "admin1_name",
    "admin2_pcode",
    "admin2_name",
    "admin3_pcode",
    "admin3_name",
    "locality_id",
    "latitude",
    "longitude",
    "geocode_confidence",
    "outside_country",
    "place_name",
    "geo_precision",
    "date_start",
    "date_end",
    "date_precision",
)
# Ids and timestamps first: the writing transaction prepends them to a prepared row.
REPORT_FIELDS = (
    "id",
    "incident",
    "received_at",
    "source",
    "record_id",
    "kind",
    "source_format",
    "payload",
    "payload_encrypted",
    "payload_sha256",
    "import_run",
    "row_number",
    "actors",
    "interaction_context",
    "harm",
    "description",
    "source_reference",
    "language",
    "reliability",
    "credibility",
    "warnings",
    *PLACE_DATE_FIELDS,
)
INCIDENT_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "interaction_context",
    "description",
    "assessment_grade",
    "review_status",
    *PLACE_DATE_FIELDS,
    "founding_record",
)


def _place_date_values(
    record: SourceRecord, adapt: bulk.Adapter, canonical: dict[str, str]
) -> tuple[object, ...]:
    """PLACE_DATE_FIELDS of a record; text None stored as "", admin names made canonical."""
    place = record.place
    # Values are fitted to their columns (PostgreSQL refuses what SQLite would keep): a bad
    # cell must cost its own text, never the rest of the batch.
    admin1_pcode = (place.admin1_pcode or "")[:PCODE]
    admin2_pcode = (place.admin2_pcode or "")[:PCODE]
    return (
        admin1_pcode,
        canonical[admin1_pcode] if admin1_pcode in canonical else (place.admin1 or "")[:100],
        admin2_pcode,
        canonical[admin2_pcode] if admin2_pcode in canonical else (place.admin2 or "")[:100],
        (place.admin3_pcode or "")[:PCODE],
        (place.admin3 or "")[:100],
        (place.locality_id or "")[:LOCALITY_ID],
        place.latitude,
        place.longitude,
        place.geocode_confidence,
        place.outside_country,
        (place.name or "")[:300],
        str(place.precision),
        adapt.date(record.date_start),
        adapt.date(record.date_end),
        str(record.date_precision),
    )


class _ReportContext:
    """What every report row of one run shares, looked up once per batch."""

    def __init__(self, run: ImportRun, *, personal_data: bool = False) -> None:
        source = run.source
        self.source_id = source.pk
        self.run_id = run.pk
        # A victim row names a person whatever its source says about itself.
        self.encrypt = source.personal_data or personal_data
        self.reliability = source.reliability
        self.adapt = bulk.Adapter()
        self.canonical = _canonical_admin_names()
        self.cipher = field_cipher() if self.encrypt else None


def _report_values(
    record: SourceRecord, context: _ReportContext, place: tuple[object, ...]
) -> tuple[object, ...]:
    """REPORT_FIELDS of a record after id, incident and received_at."""
    adapt = context.adapt
    text = record.payload_json or canonical_json(record.payload)
    return (
        context.source_id,
        record.record_id[:128],
        record.kind,
        record.source_format,
        context.cipher.encrypt(text) if context.cipher else text,
        context.encrypt,
        record.payload_sha256,
        context.run_id,
        record.row,
        adapt.json([{"name": a.name, "key": a.key, "role": a.role} for a in record.actors]),
        record.interaction_context or "",
        adapt.json({k: [c.low, c.best, c.high] for k, c in record.harm.items()}),
        record.description,
        record.source_reference,
        (record.language or "")[:LANGUAGE],
        context.reliability,
        "6",  # information credibility: cannot be judged until an analyst reviews it
        adapt.json(list(record.warnings)),
        *place,
    )


def prepare_events(run: ImportRun, records: list[SourceRecord]) -> PreparedEvents:
    """Register rows of event records, ready for write_prepared_events (no database access)."""
    prepared = PreparedEvents()
    if not records:
        return prepared
    context = _ReportContext(run)
    for record in records:
        place = _place_date_values(record, context.adapt, context.canonical)
        prepared.record_ids.append(record.record_id)
        prepared.incidents.append(
            (record.interaction_context or "", record.description, "", "new", *place)
        )
        prepared.reports.append(_report_values(record, context, place))
        prepared.harm.append(
            tuple((k, c.low, c.best, c.high) for k, c in record.harm.items() if c.is_known)
        )
        prepared.perpetrators.append(
            tuple(sorted({a.key for a in record.actors if a.role == "perpetrator" and a.key}))
        )
    return prepared


def write_event_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Incident per new event report (linkage merges them later), with counts and actors."""
    return write_prepared_events(run, prepare_events(run, _not_yet_stored(run, records)))


def write_prepared_events(run: ImportRun, events: PreparedEvents) -> int:
    """Write the new ones of `events` (see write_event_batch); returns how many were new."""
    fresh = _fresh_positions(run, events.record_ids)
    if len(fresh) < len(events):
        events = events.only(fresh)
    if not events:
        return 0
    now = bulk.Adapter().datetime(timezone.now())
    incident_ids = bulk.reserve_ids(Incident, len(events))
    report_ids = bulk.reserve_ids(Report, len(events))
    bulk.insert_rows(
        Incident,
        INCIDENT_FIELDS,
        [
            (i, now, now, *row, report_id)  # each incident is founded on its report
            for row, i, report_id in zip(events.incidents, incident_ids, report_ids, strict=True)
        ],
    )
    bulk.insert_rows(
        Report,
        REPORT_FIELDS,
        [
            (report_id, i, now, *row)
            for row, report_id, i in zip(events.reports, report_ids, incident_ids, strict=True)
        ],
    )
    bulk.insert_rows(
        HarmCount,
        ("incident", "harm_type", "low", "best", "high"),
        [(i, *h) for tolls, i in zip(events.harm, incident_ids, strict=True) for h in tolls],
    )
    _attach_perpetrators(events, incident_ids)
    return len(events)


def _attach_perpetrators(events: PreparedEvents, incident_ids: list[int]) -> None:
    actor_ids = _actor_ids()
    links: list[tuple[object, ...]] = [
        (incident_id, actor_ids[key], "alleged")
        for keys, incident_id in zip(events.perpetrators, incident_ids, strict=True)
        for key in keys
        if key in actor_ids
    ]
    bulk.insert_rows(IncidentPerpetrator, ("incident", "actor", "attribution_status"), links)


def _actor_ids() -> dict[str, int]:
    return dict(Actor.objects.values_list("key", "id"))


def write_victim_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Person per new victim record (linkage merges persons later); names encrypted."""
    fresh = [r for r in _not_yet_stored(run, records) if r.victim is not None]
    if not fresh:
        return 0
    cipher = field_cipher()
    report_ids = bulk.reserve_ids(Report, len(fresh))
    persons = _create_persons(fresh, report_ids)
    context = _ReportContext(run, personal_data=True)
    now = context.adapt.datetime(timezone.now())
    bulk.insert_rows(
        Report,
        REPORT_FIELDS,
        [
            (
                i,
                None,
                now,
                *_report_values(
                    r, context, _place_date_values(r, context.adapt, context.canonical)
                ),
            )
            for r, i in zip(fresh, report_ids, strict=True)
        ],
    )
    keep_words_of(  # so that no note can name them (services/name_words.py)
        text
        for r in fresh
        for text in (_full_name(r), r.victim.father_name)  # type: ignore[union-attr]
    )
    VictimRecord.objects.bulk_create(
        [
            VictimRecord(
                report_id=report_id,
                person=person,
                name_encrypted=cipher.encrypt(_full_name(record)),
                father_name_encrypted=cipher.encrypt(record.victim.father_name),  # type: ignore[union-attr]
                sex=record.victim.sex,  # type: ignore[union-attr]
                age=record.victim.age,  # type: ignore[union-attr]
                age_band=record.victim.age_band or "",  # type: ignore[union-attr]
                name_words_indexed=True,
            )
            for record, person, report_id in zip(fresh, persons, report_ids, strict=True)
        ]
    )
    return len(fresh)


def _full_name(record: SourceRecord) -> str:
    victim = record.victim
    if victim is None:
        return ""
    if victim.full_name:
        return victim.full_name
    return " ".join(part for part in (victim.given_name, victim.family_name) if part)


def _create_persons(records: list[SourceRecord], report_ids: list[int]) -> list[Person]:
    """A person per record, founded on it (`report_ids`: the records' ids, in order)."""
    cipher = field_cipher()
    harm_keys = set(load_taxonomy().keys("harm_types"))
    persons = []
    for record, report_id in zip(records, report_ids, strict=True):
        victim = record.victim
        assert victim is not None
        persons.append(
            Person(
                pseudonym=new_pseudonym(),
                name_encrypted=cipher.encrypt(_full_name(record)),
                contact_encrypted=cipher.encrypt(victim.contact),
                community_encrypted=cipher.encrypt(victim.community),
                sex=victim.sex,
                age=victim.age,
                age_band=victim.age_band or "",
                civilian_status=victim.civilian_status,
                harm_type=victim.harm_type if victim.harm_type in harm_keys else "",
                date_of_harm=record.date_start,
                founding_record=report_id,
            )
        )
    try:
        with transaction.atomic():
            return Person.objects.bulk_create(persons)
    except IntegrityError:  # a pseudonym collision (about 1 in 10^9 per batch): draw again
        for person in persons:
            person.pseudonym = new_pseudonym()
        return Person.objects.bulk_create(persons)
