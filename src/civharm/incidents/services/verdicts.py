"""People's verdicts on linkage pairs, and the register re-clustered to follow them (a merge,
a split, a merge undone), with what runs share: decisions, settings, write turns. Never reads
a name: clusters form again from the stored links, the decisions and the cluster rules' fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.incidents.models import (
    LinkCandidate,
    LinkDecision,
    LinkRun,
    Person,
    RecordLink,
    Report,
    Source,
    VictimRecord,
)
from civharm.incidents.services.linkage_frames import sex_code
from civharm.incidents.services.merging import (
    BATCH,
    OWNERS,
    LinkageBusyError,
    LinkageError,
    Owners,
    apply_clusters,
    check_kind,
)
from civharm.incidents.services.placing import persons_near, place_persons
from civharm.linkage.frames import DELIVERY
from civharm.linkage.frames import EPOCH as LINKAGE_EPOCH
from civharm.linkage.results import LinkageSettings

__all__ = [
    "LinkageBusyError",
    "LinkageError",
    "decide",
    "latest_decisions",
    "linkage_settings",
    "linked_with",
    "person_clusters_at",
    "recluster",
    "split_off",
]

DECISIONS = ("match", "no_match")
EPOCH = LINKAGE_EPOCH.date()  # day numbers as civharm.linkage counts them
LINK_COLUMNS = ["record_id_l", "record_id_r", "match_probability"]
# PostgreSQL advisory lock keys: a run's write and a person's verdict on one kind take turns.
# SQLite needs none: its write transactions already do (BEGIN IMMEDIATE, settings.py).
_WRITE_LOCKS = {"incident": 0x63686C31, "person": 0x63686C32}
VERDICT_WAIT_S = 20


def take_turns(kind: str) -> None:
    """Inside a transaction: wait until no other run's write or verdict of `kind` is under way
    (released at commit). Without it, on PostgreSQL, a verdict given while a run writes its
    clusters could be applied to the run's old links and then overwritten. Persons' incidents
    are written under the person lock; who holds both takes the incident lock first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCKS[kind]])


@contextmanager
def a_short_turn(kind: str) -> Iterator[None]:
    """A transaction for a person's verdict (or an import's placing): it waits VERDICT_WAIT_S
    at most for a run that is saving (a run of a million records saves for minutes), then
    raises LinkageBusyError, which says so, rather than hang."""
    outermost = not connection.in_atomic_block  # SET LOCAL would outlive a nested block
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(VERDICT_WAIT_S * 1000)}ms'")
            take_turns(kind)
            yield
    except OperationalError as error:
        if not _waited_too_long(error):
            raise
        raise LinkageBusyError(
            _(
                "A linkage run is saving its results; your verdict was not recorded. Try again "
                "in a minute."
            )
        ) from None


def _waited_too_long(error: OperationalError) -> bool:
    """PostgreSQL's lock_timeout (SQLSTATE 55P03), or SQLite's busy timeout."""
    code = getattr(error.__cause__, "sqlstate", None) or getattr(error.__cause__, "pgcode", None)
    return code == "55P03" or "database is locked" in str(error)


def latest_decisions(kind: str, record_ids: set[int] | None = None) -> pd.DataFrame:
    """record_id_l, record_id_r, decision: the latest decision on each pair (all, or among
    `record_ids`)."""
    decisions = LinkDecision.objects.filter(kind=kind).order_by("id")
    if record_ids is not None:
        decisions = decisions.filter(left__in=record_ids, right__in=record_ids)
    latest: dict[tuple[int, int], str] = {}
    for left, right, decision in decisions.values_list("left", "right", "decision").iterator(
        chunk_size=BATCH
    ):
        latest[(left, right)] = decision
    return pd.DataFrame(
        [(left, right, decision) for (left, right), decision in latest.items()],
        columns=["record_id_l", "record_id_r", "decision"],
    )


def link_pairs(frame: pd.DataFrame, *extra: str) -> Iterator[tuple[Any, ...]]:
    """(left < right, probability, extra…) of a pair frame, as plain Python values."""
    if frame is None or not len(frame):
        return
    columns = [*LINK_COLUMNS, *extra]
    for left, right, probability, *rest in frame[columns].itertuples(index=False):
        left, right = int(left), int(right)
        if left != right:
            yield (min(left, right), max(left, right), float(probability), *rest)


def linkage_settings(kind: str, engine: str = "duckdb") -> LinkageSettings:
    """settings.CIVHARM_LINKAGE[kind] (data, not code): thresholds, and the sources that may
    tell one event (name one person) more than once, by name or by source type."""
    config = settings.CIVHARM_LINKAGE[kind]
    types = config.get("source_types_with_duplicates", ())
    by_type = Source.objects.filter(source_type__in=types).values_list("name", flat=True)
    return LinkageSettings(
        link_threshold=float(config["link_threshold"]),
        review_threshold=float(config["review_threshold"]),
        max_review_pairs=int(config["max_review_pairs"]),
        engine=engine,
        sources_with_duplicates=frozenset(config.get("sources_with_duplicates", ()))
        | frozenset(by_type),
    )


def linkage_model(kind: str) -> Any:
    """The civharm.linkage model of `kind` (imported late: Splink is slow to import)."""
    if kind == "incident":
        from civharm.linkage.incidents import INCIDENT_MODEL

        return INCIDENT_MODEL
    from civharm.linkage.victims import VICTIM_MODEL

    return VICTIM_MODEL


# --- verdicts and re-clustering -------------------------------------------------------------


def _check_pair(kind: str, left_id: int, right_id: int, decision: str) -> tuple[int, int]:
    check_kind(kind)
    if decision not in DECISIONS:
        raise LinkageError(_("a decision is « match » or « no_match »"))
    if left_id == right_id:
        raise LinkageError(_("a report cannot be compared with itself"))
    pair = (min(left_id, right_id), max(left_id, right_id))
    if len(OWNERS[kind].holdings(pair)) != 2:
        if kind == "incident":
            message = _("reports {left} and {right} are not both event reports")
        else:
            message = _("reports {left} and {right} are not both victim records")
        raise LinkageError(message.format(left=pair[0], right=pair[1]))
    return pair


def _record_decision(
    kind: str, pair: tuple[int, int], decision: str, user: str, note: str
) -> LinkDecision:
    made = LinkDecision.objects.create(
        kind=kind, left_id=pair[0], right_id=pair[1], decision=decision, decided_by=user, note=note
    )
    LinkCandidate.objects.filter(kind=kind, left_id=pair[0], right_id=pair[1]).update(
        status="decided"
    )
    audit.record(
        user,
        "link_decision",
        "LinkDecision",
        made.pk,
        fields=["note"] if note else [],
        details={"kind": kind, "left": pair[0], "right": pair[1], "decision": decision},
    )
    return made


def decide(
    kind: str, left_id: int, right_id: int, decision: str, *, user: str, note: str = ""
) -> dict[str, int]:
    """A person's verdict on a pair of reports, applied at once: "no_match" on a linked pair
    splits its cluster, "match" merges two; later runs keep it (decisions win over the model)."""
    pair = _check_pair(kind, left_id, right_id, decision)
    with a_short_turn(kind):
        made = _record_decision(kind, pair, decision, user, note.strip())
        return {"decision": made.pk, **recluster(kind, set(pair))}


def split_off(kind: str, report_id: int, *, user: str) -> dict[str, int]:
    """Undo a merge for one report: "different" from every other report of its incident
    (victim record of its person)."""
    check_kind(kind)
    owners = OWNERS[kind]
    with a_short_turn(kind):  # before reading the owner: a run saving may move it
        owner = owners.holdings([report_id]).get(report_id)
        if owner is None:
            if kind == "incident":
                message = _("report {report} is not an event report linked to an incident")
            else:
                message = _("report {report} is not a victim record")
            raise LinkageError(message.format(report=report_id))
        others = _records_of(owners, {owner}) - {report_id}
        for other in sorted(others):
            pair = (min(report_id, other), max(report_id, other))
            _record_decision(kind, pair, "no_match", user, "")
        return {"decisions": len(others), **recluster(kind, {report_id})}


def holders(owners: Owners) -> Any:
    """The records linkage groups: event reports (not victim reports), or victim records."""
    holders = owners.holder.objects.all()
    return holders.filter(kind="event") if owners.holder is Report else holders


def _records_of(owners: Owners, owner_ids: set[int]) -> set[int]:
    held = holders(owners).filter(**{f"{owners.owner_field}__in": owner_ids})
    return set(held.values_list(owners.holder_key, flat=True))


def linked_with(kind: str, report_id: int) -> set[int]:
    """The other records `report_id` counts with now: its incident's event reports, or its
    person's victim records (empty if it is not one of them)."""
    owners = OWNERS[kind]
    owner = owners.holdings([report_id]).get(report_id)
    return set() if owner is None else _records_of(owners, {owner}) - {report_id}


def recluster(kind: str, record_ids: set[int]) -> dict[str, int]:
    """Cluster again the records of the incidents (persons) of `record_ids`, from the stored
    links among them and the decisions, and apply the result."""
    from civharm.linkage.clustering import cluster_records, without_two_entries_of_one_source

    owners = OWNERS[kind]
    before = set(owners.holdings(record_ids).values())
    group = _records_of(owners, before) | record_ids
    config = linkage_settings(kind)
    model = linkage_model(kind)
    frame = _records_frame(owners, group)
    delivered = [DELIVERY] if DELIVERY in frame else []  # victim records only (victim_frame)
    records = frame[["record_id", "source", *delivered, *model.rules.columns()]]
    links = _links_among(kind, group)
    decisions = latest_decisions(kind, group)
    clusters, chained = cluster_records(
        records,
        links,
        decisions,
        link_threshold=config.link_threshold,
        distinct_within_source=model.distinct_within_source,
        sources_with_duplicates=config.sources_with_duplicates,
        rules=model.rules,
    )
    if model.distinct_within_source:
        chained = without_two_entries_of_one_source(
            chained, records, model.rules.entry_columns(), config.sources_with_duplicates
        )
    _propose_chained(kind, chained, decisions)
    applied = apply_clusters(kind, clusters)
    place_again(kind, before | set(owners.holdings(group).values()))
    return {"records": len(group), "clusters": applied["owners"], "merged": applied["merged"]}


def place_again(kind: str, owner_ids: set[int]) -> None:
    """Place again the persons a re-clustering touched: those holding its victim records, or
    those counted in its incidents and those whose records could fit them (a merged
    incident's persons go to the one it joined; a tie a split left may be settled)."""
    if kind == "incident":
        take_turns("person")  # persons' incidents are written under the person lock
        if len(owner_ids) > BATCH:  # a first run, or a register relinked: everyone
            place_persons()
            return
        counted = Person.objects.filter(incident_id__in=sorted(owner_ids))
        owner_ids = set(counted.values_list("id", flat=True)) | persons_near(owner_ids)
    place_persons(owner_ids)


def _records_frame(owners: Owners, group: set[int]) -> pd.DataFrame:
    """record_id, source and what the model's cluster rules read (never a name): the day
    numbers of a report's date window; a victim record's age, sex, day of harm and cercle,
    and its delivery (the import it came in), as victim_frame gives them."""
    if owners.holder is VictimRecord:
        victims = VictimRecord.objects.filter(report_id__in=group).values_list(
            "report_id", "report__source__name", "age", "sex", "report__date_start",
            "report__admin2_pcode", "report__import_run_id",
        )  # fmt: skip
        people = [
            (r, source, age, sex_code(sex), _day(day), cercle or None, delivery)
            for r, source, age, sex, day, cercle, delivery in victims
        ]
        columns = ["record_id", "source", "age", "sex", "event_day", "admin2_pcode", DELIVERY]
        return pd.DataFrame(people, columns=columns)
    reports = Report.objects.filter(pk__in=group).values_list(
        "id", "source__name", "date_start", "date_end"
    )
    records = [
        (record_id, source, _day(start), _day(end or start))
        for record_id, source, start, end in reports
    ]
    return pd.DataFrame(records, columns=["record_id", "source", "start_day", "end_day"])


def _day(value: date | None) -> float | None:
    return float((value - EPOCH).days) if value is not None else None


def _links_among(kind: str, group: set[int]) -> pd.DataFrame:
    rows = RecordLink.objects.filter(kind=kind, left__in=group, right__in=group)
    return pd.DataFrame(
        list(rows.values_list("left", "right", "probability")), columns=LINK_COLUMNS
    )


def _propose_chained(kind: str, chained: pd.DataFrame, decisions: pd.DataFrame) -> None:
    """Pairs the re-clustering refused to chain wait for a person, under the latest run."""
    run = LinkRun.objects.filter(kind=kind, status="complete").order_by("-id").first()
    if run is None or chained is None or not len(chained):
        return
    decided = set(zip(decisions["record_id_l"], decisions["record_id_r"], strict=True))
    for left, right, p in link_pairs(chained):
        if (left, right) not in decided:
            LinkCandidate.objects.update_or_create(
                kind=kind,
                left_id=left,
                right_id=right,
                defaults={"probability": p, "reason": "chained", "status": "pending", "run": run},
            )


def person_clusters_at(threshold: float) -> pd.DataFrame:
    """record_id, cluster_id, source: how victim records would group if pairs at or above
    `threshold` were linked (stored links and review pairs; people's decisions still win).
    Nothing is applied: for estimates' sensitivity to the linkage threshold."""
    from civharm.linkage.clustering import cluster_records

    owners = OWNERS["person"]
    group = set(VictimRecord.objects.values_list("report_id", flat=True))
    model = linkage_model("person")
    records = _records_frame(owners, group)[["record_id", "source", *model.rules.columns()]]
    stored = RecordLink.objects.filter(kind="person").values_list("left", "right", "probability")
    waiting = LinkCandidate.objects.filter(kind="person", status="pending").values_list(
        "left", "right", "probability"
    )
    links = pd.DataFrame([*stored, *waiting], columns=LINK_COLUMNS)
    clusters, _chained = cluster_records(
        records,
        links,
        latest_decisions("person"),
        link_threshold=threshold,
        distinct_within_source=model.distinct_within_source,
        sources_with_duplicates=linkage_settings("person").sources_with_duplicates,
        rules=model.rules,
    )
    return clusters.merge(records[["record_id", "source"]], on="record_id")
