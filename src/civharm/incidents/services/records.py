"""Turn normalised SourceRecords into register rows (Report, Incident, Person…), set-based.

Called inside one transaction per batch. Existing (source, record_id) pairs are skipped, which
makes every import idempotent and resumable.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

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


def _place_and_date(record: SourceRecord) -> dict[str, object]:
    place = record.place
    values: dict[str, object] = {
        field: (getattr(place, attribute) or "")[:100]
        for field, attribute in PLACE_TEXT_FIELDS.items()
    }
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


def _report(run: ImportRun, record: SourceRecord, incident: Incident | None) -> Report:
    from civharm.incidents.services.importing import payload_text

    source = run.source
    return Report(
        source_id=source.pk,
        record_id=record.record_id[:128],
        kind=record.kind,
        source_format=record.source_format,
        payload=payload_text(record, encrypt=source.personal_data),
        payload_encrypted=source.personal_data,
        payload_sha256=record.payload_sha256,
        import_run_id=run.pk,
        row_number=record.row,
        actors=[{"name": a.name, "key": a.key, "role": a.role} for a in record.actors],
        interaction_context=record.interaction_context or "",
        harm={k: [c.low, c.best, c.high] for k, c in record.harm.items()},
        description=record.description,
        source_reference=record.source_reference,
        language=record.language or "",
        reliability=source.reliability,
        warnings=list(record.warnings),
        incident=incident,
        **_place_and_date(record),
    )


def write_event_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Incident per new event report (linkage merges them later), with counts and actors."""
    fresh = _new_records(run, records)
    if not fresh:
        return 0
    incidents = Incident.objects.bulk_create(
        [
            Incident(
                interaction_context=r.interaction_context or "",
                description=r.description,
                **_place_and_date(r),
            )
            for r in fresh
        ]
    )
    Report.objects.bulk_create([_report(run, r, i) for r, i in zip(fresh, incidents, strict=True)])
    HarmCount.objects.bulk_create(
        [
            HarmCount(incident=i, harm_type=k, low=c.low, best=c.best, high=c.high)
            for r, i in zip(fresh, incidents, strict=True)
            for k, c in r.harm.items()
            if c.is_known
        ]
    )
    _attach_perpetrators(fresh, incidents)
    return len(fresh)


def _attach_perpetrators(records: list[SourceRecord], incidents: list[Incident]) -> None:
    actor_ids = dict(Actor.objects.values_list("key", "id"))
    links = []
    for record, incident in zip(records, incidents, strict=True):
        keys = {a.key for a in record.actors if a.role == "perpetrator" and a.key in actor_ids}
        links.extend(
            IncidentPerpetrator(
                incident=incident, actor_id=actor_ids[k], attribution_status="alleged"
            )
            for k in sorted(keys)
        )
    IncidentPerpetrator.objects.bulk_create(links)


def write_victim_batch(run: ImportRun, records: list[SourceRecord]) -> int:
    """One Person per new victim record (linkage merges persons later); names encrypted."""
    fresh = [r for r in _new_records(run, records) if r.victim is not None]
    if not fresh:
        return 0
    cipher = field_cipher()
    persons = _create_persons(fresh)
    reports = Report.objects.bulk_create([_report(run, r, None) for r in fresh])
    VictimRecord.objects.bulk_create(
        [
            VictimRecord(
                report=report,
                person=person,
                name_encrypted=cipher.encrypt(_full_name(record)),
                sex=record.victim.sex,  # type: ignore[union-attr]
                age=record.victim.age,  # type: ignore[union-attr]
                age_band=record.victim.age_band or "",  # type: ignore[union-attr]
            )
            for record, person, report in zip(fresh, persons, reports, strict=True)
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
