"""Read queries behind the API: filtered incident pages, reports, persons, regional counts.

Returns plain dicts shaped like `schemas.py`. Never reads a person's encrypted fields nor a
report's payload (they are deferred so they do not even leave the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

from civharm.analysis.published import (
    INCIDENTS,
    partner_release,
    published_value,
    table_name,
)
from civharm.core.gazetteer import Gazetteer
from civharm.incidents.models import (
    HarmCount,
    Incident,
    IncidentPerpetrator,
    Person,
    Report,
    incident_code,
)

DEFAULT_SMALL_CELL_THRESHOLD = 5


@dataclass(frozen=True)
class IncidentFilter:
    date_from: date | None = None
    date_to: date | None = None
    admin1_pcode: str | None = None
    admin2_pcode: str | None = None
    actor: str | None = None
    harm_type: str | None = None
    context: str | None = None
    grade: str | None = None
    review_status: str | None = None


def filtered_incidents(wanted: IncidentFilter) -> QuerySet[Incident]:
    """Incidents matching every given criterion (dates compare with the start date)."""
    query = Q()
    if wanted.date_from:
        query &= Q(date_start__gte=wanted.date_from)
    if wanted.date_to:
        query &= Q(date_start__lte=wanted.date_to)
    exact = {
        "admin1_pcode": wanted.admin1_pcode,
        "admin2_pcode": wanted.admin2_pcode,
        "interaction_context": wanted.context,
        "assessment_grade": wanted.grade,
        "review_status": wanted.review_status,
    }
    query &= Q(**{field: value for field, value in exact.items() if value})
    if wanted.actor:
        query &= Q(
            id__in=IncidentPerpetrator.objects.filter(actor__key=wanted.actor).values("incident_id")
        )
    if wanted.harm_type:
        query &= Q(id__in=HarmCount.objects.filter(harm_type=wanted.harm_type).values("incident"))
    return Incident.objects.filter(query, merged_into__isnull=True)  # merged: counted in another


def with_related(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Everything an incident's answer needs, in a fixed number of queries (no N+1)."""
    return incidents.defer("description").prefetch_related(
        Prefetch(
            "incidentperpetrator_set",
            queryset=IncidentPerpetrator.objects.select_related("actor").order_by("actor__key"),
        ),
        Prefetch("harm_counts", queryset=HarmCount.objects.order_by("harm_type")),
        Prefetch(
            "reports",
            queryset=Report.objects.select_related("source")
            .only("id", "incident_id", "record_id", "source__name")
            .order_by("id"),
        ),
    )


def place_of(record: Incident | Report) -> dict[str, object]:
    return {
        "name": record.place_name,
        "locality_id": record.locality_id,
        "admin1_pcode": record.admin1_pcode,
        "admin1_name": record.admin1_name,
        "admin2_pcode": record.admin2_pcode,
        "admin2_name": record.admin2_name,
        "admin3_pcode": record.admin3_pcode,
        "admin3_name": record.admin3_name,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "precision": record.geo_precision,
    }


def incident_out(incident: Incident) -> dict[str, object]:
    """One incident as the API shows it; expects `with_related` prefetches."""
    return {
        "id": incident.pk,
        "code": incident.code,
        # linkage merged it into that incident, which counts its reports (a link kept working)
        "merged_into": incident_code(incident.merged_into_id) or None,
        "date_start": incident.date_start,
        "date_end": incident.date_end,
        "date_precision": incident.date_precision,
        "place": place_of(incident),
        "perpetrators": [
            {
                "actor": link.actor.key,
                "category": link.actor.category,
                "label_fr": link.actor.name_fr,
                "label_en": link.actor.name_en,
                "attribution_status": link.attribution_status,
            }
            for link in incident.incidentperpetrator_set.all()
        ],
        "interaction_context": incident.interaction_context,
        "counts": [
            {"harm_type": c.harm_type, "low": c.low, "best": c.best, "high": c.high}
            for c in incident.harm_counts.all()
        ],
        "assessment_grade": incident.assessment_grade,
        "review_status": incident.review_status,
        "source_records": [
            {"source": report.source.name, "record_id": report.record_id}
            for report in incident.reports.all()
        ],
    }


def _report_counts(harm: object) -> list[dict[str, object]]:
    """Report.harm is {type: [low, best, high]}; anything malformed is left out."""
    if not isinstance(harm, dict):
        return []
    counts: list[dict[str, object]] = []
    for harm_type, values in sorted(harm.items()):
        if not isinstance(values, list | tuple) or len(values) != 3:
            continue
        low, best, high = (v if isinstance(v, int) and v >= 0 else None for v in values)
        counts.append({"harm_type": str(harm_type), "low": low, "best": best, "high": high})
    return counts


def reports_of(incident: Incident) -> list[dict[str, object]]:
    """Provenance and reliability of an incident's reports; never the original payload."""
    reports = (
        incident.reports.select_related("source")
        .defer("payload", "description", "source_reference", "warnings", "actors")
        .order_by("id")
    )
    return [
        {
            "id": r.pk,
            "source": r.source.name,
            "source_type": r.source.source_type,
            "organisation": r.source.organisation,
            "licence": r.source.licence,
            "record_id": r.record_id,
            "kind": r.kind,
            "source_format": r.source_format,
            # A plain hash of a personal-data row could confirm a guessed row: not shown.
            "payload_sha256": "" if r.source.personal_data else r.payload_sha256,
            "received_at": r.received_at,
            "language": r.language,
            "reliability": r.reliability,
            "credibility": r.credibility,
            "date_start": r.date_start,
            "date_end": r.date_end,
            "date_precision": r.date_precision,
            "place": place_of(r),
            "interaction_context": r.interaction_context,
            "counts": _report_counts(r.harm),
        }
        for r in reports
    ]


def persons_of(incident: Incident) -> list[dict[str, object]]:
    """Pseudonym, sex, age band and harm only: the protected fields are never read."""
    fields = ("pseudonym", "sex", "age_band", "civilian_status", "harm_type")
    persons = Person.objects.filter(incident=incident, merged_into__isnull=True)  # counted once
    return list(persons.order_by("pseudonym").values(*fields))


def small_cell_threshold() -> int:
    return int(settings.CIVHARM.get("SMALL_CELL_THRESHOLD", DEFAULT_SMALL_CELL_THRESHOLD))


def exact_aggregates_by_region(wanted: IncidentFilter) -> dict[str, object]:
    """Incidents and best estimate of people killed per region, exact, for callers with
    `view_uncontrolled_aggregates`: live incidents (not merged), discounted ones left out."""
    rows = (
        filtered_incidents(wanted)
        .filter(merged_into__isnull=True)
        .exclude(assessment_grade="discounted")
        .order_by()
        .values("admin1_pcode")
        .annotate(
            name=Max("admin1_name"),
            incidents=Count("id", distinct=True),
            killed=Sum("harm_counts__best", filter=Q(harm_counts__harm_type="killed")),
        )
        .order_by("admin1_pcode")
    )
    regions = [
        {
            "admin1_pcode": row["admin1_pcode"] or None,
            "admin1_name": row["name"] or "",
            "incidents": row["incidents"],
            "killed_best": row["killed"] or 0,
            "suppressed": False,
        }
        for row in rows
    ]
    return {"threshold": small_cell_threshold(), "regions": regions}


def published_aggregates_by_region() -> dict[str, object]:
    """The same figures for everyone else: cells of the one partner release of the whole
    register (civharm.analysis.published), unfiltered, so that they cannot be subtracted
    from other views; null where withheld."""
    release = partner_release()
    names = dict(Gazetteer.load().admin1_units())
    regions = []
    for cell in release.table(table_name("region")).cells:
        figure, pcode = cell.key
        if figure != INCIDENTS:
            continue
        killed = published_value(release, "killed", "region", pcode)
        regions.append(
            {
                "admin1_pcode": pcode or None,
                "admin1_name": names.get(pcode, pcode),
                "incidents": cell.value,
                "killed_best": killed,
                "suppressed": cell.value is None or killed is None,
            }
        )
    regions.sort(key=lambda region: str(region["admin1_pcode"] or "~"))
    return {"threshold": release.threshold, "regions": regions}
