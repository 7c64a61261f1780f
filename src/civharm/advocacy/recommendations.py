"""The recommendations tracker's services: create, edit, record a status, and read for briefs.

Every change is audited in the same transaction. The status history is only ever appended to;
the current status is the latest entry by (date, time recorded). Never names a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.advocacy.models import (
    ADDRESSEES,
    STATUSES,
    Brief,
    EvidenceFigure,
    Recommendation,
    RecommendationStatus,
)
from civharm.analysis.models import EstimateRun
from civharm.incidents.models import Incident

INCIDENT_CODE = re.compile(r"INC-?0*(\d{1,9})", re.IGNORECASE)
EDITABLE_FIELDS = ("title", "text", "addressee", "addressee_detail", "made_on")


class RecommendationError(ValueError):
    """A change the tracker refuses; the message is meant for the user."""


@dataclass
class RecommendationInput:
    """What a user (or the demo) states about a recommendation; evidence included."""

    title: str
    addressee: str
    made_on: date
    text: str = ""
    addressee_detail: str = ""
    incidents: Sequence[Incident] = ()
    estimate_runs: Sequence[EstimateRun] = ()
    briefs: Sequence[Brief] = ()
    figures: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (label, value)


def incidents_from_codes(text: str) -> list[Incident]:
    """ "INC-000123, INC-000456" -> those incidents; a clear error names any unknown code."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    malformed = [t for t in tokens if not INCIDENT_CODE.fullmatch(t)]
    if malformed:
        raise RecommendationError(
            _("Not an incident code: {codes}. Write codes as INC-000123.").format(
                codes=", ".join(malformed)
            )
        )
    wanted = list(dict.fromkeys(int(INCIDENT_CODE.fullmatch(t).group(1)) for t in tokens))  # type: ignore[union-attr]
    found = Incident.objects.in_bulk(wanted)
    unknown = [f"INC-{pk:06d}" for pk in wanted if pk not in found]
    if unknown:
        raise RecommendationError(
            _("No incident has the code {codes}.").format(codes=", ".join(unknown))
        )
    return [found[pk] for pk in wanted]


def incident_codes(incidents: Iterable[Incident]) -> str:
    return ", ".join(incident.code for incident in incidents)


def _set_evidence(recommendation: Recommendation, data: RecommendationInput) -> None:
    recommendation.incidents.set(data.incidents)
    recommendation.estimate_runs.set(data.estimate_runs)
    recommendation.briefs.set(data.briefs)
    recommendation.figures.all().delete()
    EvidenceFigure.objects.bulk_create(
        EvidenceFigure(recommendation=recommendation, label=label, value=value)
        for label, value in data.figures
    )


def _evidence_summary(recommendation: Recommendation) -> dict[str, Any]:
    """Codes and ids only (never a person): what the audit entry says the evidence was."""
    return {
        "incidents": sorted(i.code for i in recommendation.incidents.all()),
        "estimate_runs": sorted(recommendation.estimate_runs.values_list("pk", flat=True)),
        "briefs": sorted(recommendation.briefs.values_list("pk", flat=True)),
        "figures": list(recommendation.figures.values_list("label", "value")),
    }


def create_recommendation(data: RecommendationInput, *, actor: str) -> Recommendation:
    """A new recommendation, proposed on the day it was made."""
    with transaction.atomic():
        recommendation = Recommendation.objects.create(
            **{name: getattr(data, name) for name in EDITABLE_FIELDS}, created_by=actor
        )
        _set_evidence(recommendation, data)
        first = RecommendationStatus.objects.create(
            recommendation=recommendation, status="proposed", on=data.made_on, recorded_by=actor
        )
        audit.record(
            actor,
            "create",
            "recommendation",
            recommendation.pk,
            fields=[*EDITABLE_FIELDS, "evidence"],
            details={"status": first.status, **_evidence_summary(recommendation)},
        )
    return recommendation


def update_recommendation(
    recommendation: Recommendation, data: RecommendationInput, *, actor: str
) -> list[str]:
    """Apply an edit; returns the names of what changed ("evidence" for any evidence)."""
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        before = _evidence_summary(locked)
        changed = [n for n in EDITABLE_FIELDS if getattr(locked, n) != getattr(data, n)]
        for name in changed:
            setattr(locked, name, getattr(data, name))
        if changed:
            locked.save(update_fields=changed)
        _set_evidence(locked, data)
        after = _evidence_summary(locked)
        if after != before:
            changed.append("evidence")
        if changed:
            audit.record(actor, "edit", "recommendation", locked.pk, fields=changed, details=after)
    for name in EDITABLE_FIELDS:
        setattr(recommendation, name, getattr(locked, name))
    return changed


def record_status(
    recommendation: Recommendation, status: str, on: date, *, actor: str, note: str = ""
) -> RecommendationStatus:
    """Append a step to the history (never edits an earlier one)."""
    if status not in dict(STATUSES):
        raise RecommendationError(_("Unknown status."))
    if on < recommendation.made_on:
        raise RecommendationError(_("A status cannot be dated before the recommendation was made."))
    if on > date.today():
        raise RecommendationError(_("A status cannot be dated in the future."))
    with transaction.atomic():
        # Two people recording at once must not both pass the "already" check.
        Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        current = recommendation.current_status()
        if current is not None and current.status == status and on >= current.on:
            raise RecommendationError(
                _("The recommendation is already {status}.").format(
                    status=current.get_status_display()
                )
            )
        entry = RecommendationStatus.objects.create(
            recommendation=recommendation, status=status, on=on, note=note, recorded_by=actor
        )
        audit.record(
            actor,
            "status_change",
            "recommendation",
            recommendation.pk,
            fields=["status", "on", *(["note"] if note else [])],
            details={
                "status": status,
                "on": on.isoformat(),
                "previous": current and current.status,
            },
        )
    return entry


def _latest_status() -> QuerySet[RecommendationStatus]:
    return RecommendationStatus.objects.filter(recommendation=OuterRef("pk")).order_by(
        "-on", "-recorded_at", "-id"
    )


def with_current_status(queryset: QuerySet[Recommendation]) -> QuerySet[Recommendation]:
    """Annotate `current` (the latest status), its date and the evidence count, for lists."""
    latest = _latest_status()
    return queryset.annotate(
        current=Subquery(latest.values("status")[:1]),
        current_on=Subquery(latest.values("on")[:1]),
        incident_count=Count("incidents", distinct=True),
    )


def status_counts(queryset: QuerySet[Recommendation]) -> list[tuple[str, str, int]]:
    """(status, label, how many recommendations are currently at it), every status listed."""
    current = queryset.annotate(current=Subquery(_latest_status().values("status")[:1]))
    counted = current.order_by().values("current").annotate(n=Count("pk"))
    by_status = {row["current"]: row["n"] for row in counted}
    return [(key, str(label), by_status.get(key, 0)) for key, label in STATUSES]


def _history(recommendation: Recommendation) -> list[dict[str, Any]]:
    return [
        {
            "status": entry.status,
            "status_label": entry.get_status_display(),
            "on": entry.on,
            "note": entry.note,
        }
        # .all(): the prefetched rows, in the model's order (on, recorded_at, id)
        for entry in recommendation.status_history.all()
    ]


def brief_recommendations_queryset(
    region: str | None, date_to: date | None
) -> QuerySet[Recommendation]:
    """Made by the period's end, and either country-wide (no incident in evidence) or with an
    incident in the region (a P-code such as ML05, or the region's name)."""
    queryset = Recommendation.objects.annotate(incident_count=Count("incidents", distinct=True))
    if date_to is not None:
        queryset = queryset.filter(made_on__lte=date_to)
    if region:
        in_region = Q(incidents__admin1_pcode__iexact=region) | Q(
            incidents__admin1_name__iexact=region
        )
        touching = Recommendation.objects.filter(in_region).values("pk")
        queryset = queryset.filter(Q(incident_count=0) | Q(pk__in=touching))
    return queryset.order_by("made_on", "id")


def recommendations_for_brief(
    region_pcode: str | None, date_from: date | None, date_to: date | None
) -> list[dict[str, Any]]:
    """The recommendations a brief on this region and period reports, with their status history;
    labels in the active language. `date_from` does not exclude older recommendations still
    open: a brief reports every recommendation made in or before its period."""
    del date_from  # kept in the signature: the briefs helper passes the period as a whole
    addressees = dict(ADDRESSEES)
    rows = []
    queryset = brief_recommendations_queryset(region_pcode, date_to).prefetch_related(
        "status_history", "figures", "incidents"
    )
    for recommendation in queryset:
        history = _history(recommendation)
        current = history[-1] if history else None
        rows.append(
            {
                "id": recommendation.pk,
                "title": recommendation.title,
                "text": recommendation.text,
                "addressee": recommendation.addressee,
                "addressee_label": str(addressees.get(recommendation.addressee, "")),
                "addressee_detail": recommendation.addressee_detail,
                "made_on": recommendation.made_on,
                "status": current["status"] if current else "",
                "status_label": current["status_label"] if current else "",
                "status_on": current["on"] if current else None,
                "history": history,
                "figures": [(f.label, f.value) for f in recommendation.figures.all()],
                "incident_codes": [
                    i.code for i in sorted(recommendation.incidents.all(), key=lambda i: i.pk)
                ],
                "country_wide": recommendation.incident_count == 0,
            }
        )
    return rows
