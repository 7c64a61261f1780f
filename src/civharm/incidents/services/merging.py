"""Moving reports between incidents (victim records between persons) to follow linkage
clusters, and recomputing what the incidents count. Never deletes an incident or a person:
an incident left without reports is marked merged_into the one that took them, so a split
can revive it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from statistics import median_low
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.core.protection import new_pseudonym
from civharm.incidents.models import (
    Actor,
    HarmCount,
    Incident,
    IncidentPerpetrator,
    Person,
    Report,
    VictimRecord,
)
from civharm.incidents.services import bulk
from civharm.incidents.services.records import PLACE_DATE_FIELDS

KINDS = ("incident", "person")
BATCH = 2000  # rows per bulk statement: under SQLite's and PostgreSQL's parameter limits


class LinkageError(ValueError):
    """A linkage request that cannot be carried out (says why, for people)."""


class LinkageBusyError(LinkageError):
    """A verdict that waited too long for a linkage run to finish saving: try again later."""


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise LinkageError(
            _("unknown linkage kind « {kind} »: incident or person").format(kind=kind)
        )


def perpetrator_keys(actors: list[dict[str, Any]]) -> list[str]:
    keys = {a.get("key") for a in actors or () if a.get("role", "perpetrator") == "perpetrator"}
    return sorted(k for k in keys if k)


def harm_types(harm: dict[str, list[int | None]] | None) -> list[str]:
    """The harm types a report gives a count (or a bound) for."""
    return sorted(k for k, counts in (harm or {}).items() if any(c for c in counts if c))


def batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True)
class Owners:
    """What a kind's records count towards: reports -> incidents, victim records -> persons."""

    owner: type[Model]  # Incident or Person
    holder: type[Model]  # the row whose foreign key moves: Report or VictimRecord
    holder_key: str  # the holder's field holding the record id
    owner_field: str  # the holder's foreign key to the owner

    def holdings(self, record_ids: Iterable[int]) -> dict[int, int]:
        """record id -> current owner id, for those of `record_ids` that are records of this
        kind (event reports with an incident; victim records)."""
        rows = self.holder.objects.all()
        if self.holder is Report:
            rows = rows.filter(kind="event", incident__isnull=False)
        holdings: dict[int, int] = {}
        for chunk in batches(record_ids):
            lookup = {f"{self.holder_key}__in": chunk}
            holdings.update(rows.filter(**lookup).values_list(self.holder_key, self.owner_field))
        return holdings


OWNERS = {
    "incident": Owners(Incident, Report, "id", "incident_id"),
    "person": Owners(Person, VictimRecord, "report_id", "person_id"),
}


def cluster_groups(clusters: pd.DataFrame) -> list[list[int]]:
    """Record ids per cluster, biggest first (so a split keeps the incident with most reports)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for record_id, cluster_id in clusters[["record_id", "cluster_id"]].itertuples(index=False):
        groups[int(cluster_id)].append(int(record_id))
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


def _merged_children(owners: Owners) -> dict[int, list[int]]:
    """owner id -> ids of the owners merged into it (candidates for reviving), smallest first."""
    children: dict[int, list[int]] = defaultdict(list)
    rows = owners.owner.objects.filter(merged_into__isnull=False).order_by("id")
    for owner_id, target in rows.values_list("id", "merged_into_id").iterator(chunk_size=BATCH):
        children[target].append(owner_id)
    return children


# Records above which the owners' founding records are read in one pass over the table rather
# than by a query per batch of records (the column has no index: imports would pay for one).
FOUNDINGS_IN_ONE_PASS = 2 * BATCH  # a reviewer measured one batch query as slow as a pass


def _foundings(owners: Owners, owner_ids: set[int], records: set[int]) -> dict[int, int]:
    """owner id -> the record it was founded on, for the owners of `owner_ids` and those founded
    on one of `records` (wherever they are merged now), when known."""
    rows = owners.owner.objects.filter(founding_record__isnull=False)
    if len(records) > FOUNDINGS_IN_ONE_PASS:
        every = rows.values_list("id", "founding_record").iterator(chunk_size=5 * BATCH)
        return {o: r for o, r in every if r in records or o in owner_ids}
    found: dict[int, int] = {}
    for chunk in batches(sorted(owner_ids)):
        found.update(rows.filter(pk__in=chunk).values_list("id", "founding_record"))
    for chunk in batches(sorted(records)):
        found.update(rows.filter(founding_record__in=chunk).values_list("id", "founding_record"))
    return found


def _choose_owners(
    groups: list[list[int]],
    holdings: dict[int, int],
    children: dict[int, list[int]],
    founding: dict[int, int],
) -> tuple[dict[int, int], list[list[int]]]:
    """record id -> canonical owner; and the groups that need a new owner.

    First each group takes the owner founded on one of its records (wherever it is merged), so
    a split gives every incident (person) back the reports it shows; then the other groups take
    a free current owner, or revive one merged into one of their owners."""
    taken: set[int] = set()
    canonical: dict[int, int] = {}
    waiting: list[tuple[list[int], list[int]]] = []
    founders: dict[int, list[int]] = defaultdict(list)
    for owner, record in founding.items():
        founders[record].append(owner)
    for group in groups:
        current = sorted({holdings[r] for r in group if r in holdings})
        founded = sorted(o for r in group for o in founders.get(r, ()) if o not in taken)
        if founded:
            taken.add(founded[0])
            canonical.update(dict.fromkeys(group, founded[0]))
        else:
            waiting.append((group, current))
    homeless: list[list[int]] = []
    # an owner founded on a record of another group goes with that record, never to this one
    spoken_for = {o for group in groups for r in group for o in founders.get(r, ())}
    for group, current in waiting:
        free = [o for o in current if o not in taken and o not in spoken_for]
        if not free:  # revive an owner that was merged into one of the group's owners
            merged = [c for o in current for c in children.get(o, ())]
            free = [c for c in merged if c not in taken and c not in spoken_for][:1]
        if not free:
            homeless.append(group)
            continue
        taken.add(free[0])
        canonical.update(dict.fromkeys(group, free[0]))
    return canonical, homeless


def apply_clusters(kind: str, clusters: pd.DataFrame) -> dict[str, Any]:
    """Make each cluster count towards one incident (person); see docs/linkage.md.

    Returns {"owners": clusters applied, "merged": owners left without records, "touched":
    the ids of the owners a record left or joined}. All or nothing: a failure leaves every
    report where it was."""
    check_kind(kind)
    with transaction.atomic():
        return _apply(OWNERS[kind], cluster_groups(clusters))


def _apply(owners: Owners, groups: list[list[int]]) -> dict[str, Any]:
    kind = "incident" if owners.owner is Incident else "person"
    holdings = owners.holdings(r for g in groups for r in g)
    children = _merged_children(owners)
    current = set(holdings.values())
    near = current | {c for o in current for c in children.get(o, ())}
    founding = _foundings(owners, near, set(holdings))
    canonical, homeless = _choose_owners(groups, holdings, children, founding)
    new = _new_owners(kind, homeless, holdings)
    for group, owner_id in zip(homeless, new, strict=True):
        canonical.update(dict.fromkeys(group, owner_id))
    moved = {r: o for r, o in canonical.items() if holdings.get(r) != o}
    _move(owners, moved)
    left = {holdings[r] for r in moved if r in holdings}
    touched = left | set(moved.values())  # owners a record left or joined
    kept = set(canonical.values())
    _refound(kind, groups, canonical, founding, touched)
    emptied = _without_records(owners, left - kept)
    target = {holdings[r]: canonical[r] for r in moved if holdings.get(r) in emptied}
    # an owner that holds nothing now goes with the record it was founded on, wherever it is
    holding = kept | (current - emptied)
    target.update(
        (o, canonical[r]) for o, r in founding.items() if o not in holding and r in canonical
    )
    _set_merged_into(owners, target, kept)
    if kind == "incident":
        recompute_incidents(kept & touched | emptied)
    return {"owners": len(groups), "merged": len(emptied), "touched": touched}


def _move(owners: Owners, moved: dict[int, int]) -> None:
    """Point each moved record's holder at its new owner (bulk, no per-row query)."""
    if owners.holder is Report:
        update_column(Report, "incident", moved.items())
    else:
        update_column(VictimRecord, "person", moved.items(), by="report")


def update_column(
    model: type[Model], field: str, values: Iterable[tuple[int, int | None]], by: str = "id"
) -> None:
    """UPDATE model SET field = value WHERE by = key, for each (key, value): one executemany
    per batch (Django's bulk_update builds a CASE per row, minutes at 100,000 rows)."""
    quote = connection.ops.quote_name
    meta = model._meta
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field(field).column)} = %s "  # noqa: S608
        f"WHERE {quote(meta.get_field(by).column)} = %s"
    )
    with connection.cursor() as cursor:
        for chunk in batches(values):
            cursor.executemany(sql, [(value, key) for key, value in chunk])


def _without_records(owners: Owners, candidates: set[int]) -> set[int]:
    """Those of `candidates` that no record counts towards any more."""
    still: set[int] = set()
    holders = owners.holder.objects.all()
    for chunk in batches(candidates):
        lookup = {f"{owners.owner_field}__in": chunk}
        still.update(holders.filter(**lookup).values_list(owners.owner_field, flat=True))
    return candidates - still


def _set_merged_into(owners: Owners, target: dict[int, int], kept: set[int]) -> None:
    """Emptied owners point at the owner that took their records; canonical ones at none;
    owners merged into an emptied one follow it, so merged_into always names a live owner."""
    model = owners.owner
    update_column(model, "merged_into", target.items())
    if model is Person:  # counted in its target's incident now, not in its own
        update_column(model, "incident", ((person, None) for person in target))
    for chunk in batches(kept):
        model.objects.filter(pk__in=chunk, merged_into__isnull=False).update(merged_into=None)
    followers = []
    for chunk in batches(target):
        rows = model.objects.filter(merged_into__in=chunk).values_list("id", "merged_into_id")
        followers += [(o, target[t]) for o, t in rows if o != target[t]]
    update_column(model, "merged_into", followers)


def _new_owners(kind: str, groups: list[list[int]], holdings: dict[int, int]) -> list[int]:
    """A new incident (person) per group that found none to take (no owner was founded on one
    of its records): founded on its first record (_founding_reports, min for persons)."""
    if not groups:
        return []
    if kind == "incident":
        return _new_incidents(groups)
    return _new_persons(groups, holdings)


INCIDENT_COPIED_FIELDS = (*PLACE_DATE_FIELDS, "interaction_context", "description")


_PRECISE_FIRST = {"day": 0, "week": 1, "month": 2, "year": 3}


def _founding_reports(groups: list[list[int]]) -> list[dict[str, Any]]:
    """The event report each group's new incident is founded on, with the fields it copies:
    the most precisely dated (a month's report is dated the 1st), then the earliest."""
    reports = {
        r["id"]: r
        for chunk in batches(r for g in groups for r in g)
        for r in Report.objects.filter(pk__in=chunk).values("id", *INCIDENT_COPIED_FIELDS)
    }

    def rank(r: int) -> tuple[int, date, int]:
        report = reports[r]
        return (
            _PRECISE_FIRST.get(report["date_precision"], 4),
            report["date_start"] or date.max,
            r,
        )

    return [reports[min(group, key=rank)] for group in groups]


def _new_incidents(groups: list[list[int]]) -> list[int]:
    created = [
        Incident(**{f: first[f] for f in INCIDENT_COPIED_FIELDS}, founding_record=first["id"])
        for first in _founding_reports(groups)
    ]
    return [incident.pk for incident in Incident.objects.bulk_create(created)]


def _new_persons(groups: list[list[int]], holdings: dict[int, int]) -> list[int]:
    """A copy of the group's first record's current person, with a new pseudonym and that
    record's name, sex and age (no person was founded on one of the group's records: lists
    give no contact or community that could be told apart)."""
    first_records = [min(group) for group in groups]
    templates = Person.objects.in_bulk({holdings[r] for r in first_records})
    own = _own_details(first_records)
    copied = [f.attname for f in Person._meta.concrete_fields if f.attname not in _NOT_COPIED]
    created = [
        Person(
            **{name: getattr(templates[holdings[r]], name) for name in copied},
            **own[r],
            pseudonym=new_pseudonym(),
            founding_record=r,
        )
        for r in first_records
    ]
    return [person.pk for person in Person.objects.bulk_create(created)]


def _own_details(records: list[int]) -> dict[int, dict[str, Any]]:
    """What a person founded on each of these victim records shows of it."""
    details: dict[int, dict[str, Any]] = {}
    for chunk in batches(records):
        rows = VictimRecord.objects.filter(report_id__in=chunk).values_list(
            "report_id", "name_encrypted", "sex", "age", "age_band", "report__date_start"
        )
        for record, name, sex, age, band, day in rows:
            details[record] = {
                "name_encrypted": name, "sex": sex, "age": age, "age_band": band,
                "date_of_harm": day,
            }  # fmt: skip
    return details


def _refound(
    kind: str,
    groups: list[list[int]],
    canonical: dict[int, int],
    founding: dict[int, int],
    changed: set[int],
) -> None:
    """An owner of `changed` (it gained or lost records) kept for a group without the record
    it was founded on (no owner was founded on one of the group's records) shows that record
    no more: it is founded again on the group's first record, and shows that record's details.
    An owner whose records did not change is left as it is, founded or not."""
    stale = [
        (group, canonical[group[0]])
        for group in groups
        if canonical[group[0]] in changed and founding.get(canonical[group[0]]) not in set(group)
    ]
    if not stale:
        return
    if kind == "incident":
        firsts = _founding_reports([group for group, _owner in stale])
        now = timezone.now()  # the analysis snapshot finds changed incidents by updated_at
        for (_group, owner), first in zip(stale, firsts, strict=True):
            fields = {f: first[f] for f in INCIDENT_COPIED_FIELDS}
            Incident.objects.filter(pk=owner).update(
                **fields, founding_record=first["id"], updated_at=now
            )
        return
    firsts = [min(group) for group, _owner in stale]
    own = _own_details(firsts)
    for (_group, owner), first in zip(stale, firsts, strict=True):
        Person.objects.filter(pk=owner).update(**own[first], founding_record=first)


_NOT_COPIED = {
    "id", "pseudonym", "name_encrypted", "sex", "age", "age_band", "date_of_harm",
    "merged_into_id", "created_at", "founding_record",
}  # fmt: skip


# --- counts follow the links ------------------------------------------------------------------


def combine_counts(counts: list[list[int | None]]) -> tuple[int | None, int | None, int | None]:
    """low/best/high of one harm type from several reports' [low, best, high] (docs/linkage.md):
    low = the largest low, high = the largest high (at least low), best = the median of the
    bests (the lower middle one of an even number), kept within [low, high]."""
    lows = [c[0] for c in counts if c[0] is not None]
    bests = [c[1] for c in counts if len(c) > 1 and c[1] is not None]
    highs = [c[2] for c in counts if len(c) > 2 and c[2] is not None]
    low = max(lows) if lows else None
    high = max(highs) if highs else None
    if low is not None and high is not None and high < low:
        high = low
    best = median_low(bests) if bests else None
    if best is not None and low is not None:
        best = max(best, low)
    if best is not None and high is not None:
        best = min(best, high)
    return low, best, high


def recompute_incidents(incident_ids: Iterable[int]) -> None:
    """HarmCount and IncidentPerpetrator rows of these incidents, from their current reports."""
    actor_ids = dict(Actor.objects.values_list("key", "id"))
    for chunk in batches(sorted(incident_ids)):
        harm: dict[int, dict[str, list[list[int | None]]]] = {i: defaultdict(list) for i in chunk}
        actors: dict[int, set[int]] = {i: set() for i in chunk}
        reports = Report.objects.filter(incident_id__in=chunk).values_list(
            "incident_id", "harm", "actors"
        )
        for incident_id, report_harm, report_actors in reports:
            for harm_type, counts in (report_harm or {}).items():
                harm[incident_id][harm_type].append(list(counts))
            keys = perpetrator_keys(report_actors)
            actors[incident_id].update(actor_ids[k] for k in keys if k in actor_ids)
        _replace_counts(chunk, harm)
        _replace_perpetrators(chunk, actors)


def _replace_counts(chunk: list[int], harm: dict[int, dict[str, list[list[int | None]]]]) -> None:
    HarmCount.objects.filter(incident_id__in=chunk).delete()
    rows: list[tuple[object, ...]] = [
        (incident_id, harm_type, *combine_counts(counts))
        for incident_id, by_type in harm.items()
        for harm_type, counts in sorted(by_type.items())
    ]
    known = [row for row in rows if row[2:] != (None, None, None)]
    bulk.insert_rows(HarmCount, ("incident", "harm_type", "low", "best", "high"), known)


def _replace_perpetrators(chunk: list[int], actors: dict[int, set[int]]) -> None:
    """The union of the reports' perpetrators; a kept actor keeps its attribution status."""
    existing = {
        (incident_id, actor_id): row_id
        for row_id, incident_id, actor_id in IncidentPerpetrator.objects.filter(
            incident_id__in=chunk
        ).values_list("id", "incident_id", "actor_id")
    }
    wanted = {(i, a) for i, keys in actors.items() for a in keys}
    stale = [row_id for pair, row_id in existing.items() if pair not in wanted]
    IncidentPerpetrator.objects.filter(pk__in=stale).delete()
    added: list[tuple[object, ...]] = [
        (i, a, "alleged") for i, a in sorted(wanted - existing.keys())
    ]
    bulk.insert_rows(IncidentPerpetrator, ("incident", "actor", "attribution_status"), added)


# --- people's decisions ---------------------------------------------------------------------
