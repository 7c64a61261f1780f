"""Turn normalised SourceRecords into register rows (Report, Incident, Person…), set-based.

Called inside one transaction per batch. Existing (source, record_id) pairs are skipped, which
makes every import idempotent and resumable.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from civharm.core.gazetteer import Gazetteer
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
from civharm.ingest.records import SourceRecord

# register field <- ingest Place attribute (text fields: None is stored as "")
PLACE_TEXT_FIELDS = {
    "admin1_pcode": "admin1_pcode",
    "admin1_name": "admin1",
    "admin2_pcode": "admin2_pcode",
    "admin2_name": "admin2",
    "admin3_pcode": "admin3_pcode",
    "admin3_name": "admin3",
    "locality_id": "locality_id",
}


def _new_records(run: ImportRun, records: list[SourceRecord]) -> list[SourceRecord]:
    """Drop records already in the register (and repeats inside the batch)."""
    ids = {r.record_id for r in records}
    existing = set(
        Report.objects.filter(source_id=run.source_id, record_id__in=ids).values_list(
            "record_id", flat=True
        )
    )
    fresh: list[SourceRecord] = []
    for record in records:
        if record.record_id not in existing:
            existing.add(record.record_id)
            fresh.append(record)
    return fresh


@cache
def _canonical_admin_names() -> dict[str, str]:
    """P-code -> the pack's name, so 'Segou', 'SEGOU' and 'Ségou' are stored as one region."""
    gazetteer = Gazetteer.load(settings.CIVHARM["COUNTRY_PACK"])
    names = dict(gazetteer.admin1_units())
    names.update({pcode: name for pcode, name, _region in gazetteer.admin2_units()})
    return names


def _place_and_date(record: SourceRecord) -> dict[str, object]:
    place = record.place
    values: dict[str, object] = {
        field: (getattr(place, attribute) or "")[:100]
        for field, attribute in PLACE_TEXT_FIELDS.items()
    }
    canonical = _canonical_admin_names()
    for level in ("admin1", "admin2"):
        pcode = str(values[f"{level}_pcode"])
        if pcode in canonical:
            values[f"{level}_name"] = canonical[pcode]
    values.update(
        latitude=place.latitude,
        longitude=place.longitude,
        geocode_confidence=place.geocode_confidence,
        outside_country=place.outside_country,
        place_name=(place.name or "")[:300],
        geo_precision=str(place.precision),
        date_start=record.date_start,
        date_end=record.date_end,
        date_precision=str(record.date_precision),
    )
    return values


PLACE_DATE_FIELDS = (
    *PLACE_TEXT_FIELDS,
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
REPORT_FIELDS = (
    "id",
    "source",
    "record_id",
    "kind",
    "source_format",
    "payload",
    "payload_encrypted",
    "payload_sha256",
    "import_run",
    "row_number",
    "received_at",
    "actors",
    "interaction_context",
    "harm",
    "description",
    "source_reference",
    "language",
    "reliability",
    "credibility",
    "warnings",
    "incident",
    *PLACE_DATE_FIELDS,
)
INCIDENT_FIELDS = (
    "id",
    "interaction_context",
    "description",
    "assessment_grade",
    "review_status",
    "created_at",
    "updated_at",
    *PLACE_DATE_FIELDS,
)


def _place_date_values(record: SourceRecord, adapt: bulk.Adapter) -> tuple[object, ...]:
    values = _place_and_date(record)
    values["date_start"] = adapt.date(record.date_start)
    values["date_end"] = adapt.date(record.date_end)
    return tuple(values[name] for name in PLACE_DATE_FIELDS)


def _report_row(
    run: ImportRun,
    record: SourceRecord,
    ids: tuple[int, int | None],
    now: object,
    adapt: bulk.Adapter,
    place: tuple[object, ...],
) -> tuple[object, ...]:
    from civharm.incidents.services.importing import payload_text

    source = run.source
    report_id, incident_id = ids
    return (
        report_id,
        source.pk,
        record.record_id[:128],
        record.kind,
        record.source_format,
        payload_text(record, encrypt=source.personal_data),
        source.personal_data,
        record.payload_sha256,
        run.pk,
        record.row,
        now,
        adapt.json([{"name": a.name, "key": a.key, "role": a.role} for a in record.actors]),
        record.interaction_context or "",
        adapt.json({k: [c.low, c.best, c.high] for k, c in record.harm.items()}),
        record.description,
        record.source_reference,
        record.language or "",
        source.reliability,
        "6",  # information credibility: cannot be judged until an analyst reviews it
        adapt.json(list(record.warnings)),
        incident_id,
        *place,
    )


def write_event_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Incident per new event report (linkage merges them later), with counts and actors."""
    fresh = _new_records(run, records)
    if not fresh:
        return 0
    adapt = bulk.Adapter()
    now = adapt.datetime(timezone.now())
    incident_ids = bulk.reserve_ids(Incident, len(fresh))
    report_ids = bulk.reserve_ids(Report, len(fresh))
    places = [_place_date_values(r, adapt) for r in fresh]
    bulk.insert_rows(
        Incident,
        INCIDENT_FIELDS,
        [
            (i, r.interaction_context or "", r.description, "", "new", now, now, *place)
            for r, i, place in zip(fresh, incident_ids, places, strict=True)
        ],
    )
    bulk.insert_rows(
        Report,
        REPORT_FIELDS,
        [
            _report_row(run, r, (report_id, i), now, adapt, place)
            for r, report_id, i, place in zip(fresh, report_ids, incident_ids, places, strict=True)
        ],
    )
    bulk.insert_rows(
        HarmCount,
        ("incident", "harm_type", "low", "best", "high"),
        [
            (i, k, c.low, c.best, c.high)
            for r, i in zip(fresh, incident_ids, strict=True)
            for k, c in r.harm.items()
            if c.is_known
        ],
    )
    _attach_perpetrators(fresh, incident_ids)
    return len(fresh)


def _attach_perpetrators(records: list[SourceRecord], incident_ids: list[int]) -> None:
    actor_ids = _actor_ids()
    links = []
    for record, incident_id in zip(records, incident_ids, strict=True):
        keys = {a.key for a in record.actors if a.role == "perpetrator" and a.key in actor_ids}
        links.extend((incident_id, actor_ids[k], "alleged") for k in sorted(keys))
    bulk.insert_rows(IncidentPerpetrator, ("incident", "actor", "attribution_status"), links)


def _actor_ids() -> dict[str, int]:
    return dict(Actor.objects.values_list("key", "id"))


def write_victim_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Person per new victim record (linkage merges persons later); names encrypted."""
    fresh = [r for r in _new_records(run, records) if r.victim is not None]
    if not fresh:
        return 0
    cipher = field_cipher()
    persons = _create_persons(fresh)
    adapt = bulk.Adapter()
    now = adapt.datetime(timezone.now())
    report_ids = bulk.reserve_ids(Report, len(fresh))
    bulk.insert_rows(
        Report,
        REPORT_FIELDS,
        [
            _report_row(run, r, (i, None), now, adapt, _place_date_values(r, adapt))
            for r, i in zip(fresh, report_ids, strict=True)
        ],
    )
    VictimRecord.objects.bulk_create(
        [
            VictimRecord(
                report_id=report_id,
                person=person,
                name_encrypted=cipher.encrypt(_full_name(record)),
                sex=record.victim.sex,  # type: ignore[union-attr]
                age=record.victim.age,  # type: ignore[union-attr]
                age_band=record.victim.age_band or "",  # type: ignore[union-attr]
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


def _create_persons(records: list[SourceRecord]) -> list[Person]:
    cipher = field_cipher()
    harm_keys = set(load_taxonomy().keys("harm_types"))
    persons = []
    for record in records:
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
            )
        )
    try:
        with transaction.atomic():
            return Person.objects.bulk_create(persons)
    except IntegrityError:  # a pseudonym collision (about 1 in 10^9 per batch): draw again
        for person in persons:
            person.pseudonym = new_pseudonym()
        return Person.objects.bulk_create(persons)
