"""Linkage in the register: run civharm.linkage on the frames linkage_frames builds, store its
links and review pairs, and move reports between incidents (victim records between persons) to
follow them.

Never deletes an incident or a person and never changes what a source said: a merge only moves
which incident (person) a report counts towards, and is undone the same way. Names are
decrypted in memory for the victim frame only (one audit entry per run); never stored or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from itertools import islice
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.incidents.models import (
    Incident,
    LinkCandidate,
    LinkDecision,
    LinkRun,
    Person,
    RecordLink,
    Report,
    Source,
    VictimRecord,
)
from civharm.incidents.services.linkage_frames import incident_frame, sex_code, victim_frame
from civharm.incidents.services.merging import (
    KINDS,
    OWNERS,
    LinkageBusyError,
    LinkageError,
    Owners,
    apply_clusters,
    check_kind,
)
from civharm.incidents.services.placing import persons_near, place_persons
from civharm.linkage.frames import EPOCH as LINKAGE_EPOCH
from civharm.linkage.results import LinkageResult, LinkageSettings

__all__ = [
    "KINDS",
    "LinkageBusyError",
    "LinkageError",
    "decide",
    "incident_frame",
    "latest_decisions",
    "linkage_settings",
    "linked_with",
    "place_new_persons",
    "recluster",
    "run_linkage",
    "split_off",
    "victim_frame",
]

DECISIONS = ("match", "no_match")
logger = logging.getLogger(__name__)
BATCH = 2000  # rows per bulk statement: under SQLite's and PostgreSQL's parameter limits
# PostgreSQL advisory lock keys: a run's write and a person's verdict on one kind take turns.
# SQLite needs none: its write transactions already do (BEGIN IMMEDIATE, settings.py).
_WRITE_LOCKS = {"incident": 0x63686C31, "person": 0x63686C32}
VERDICT_WAIT_S = 20


def _take_turns(kind: str) -> None:
    """Inside a transaction: wait until no other run's write or verdict of `kind` is under way
    (released at commit). Without it, on PostgreSQL, a verdict given while a run writes its
    clusters could be applied to the run's old links and then overwritten. Persons' incidents
    are written under the person lock; who holds both takes the incident lock first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCKS[kind]])


@contextmanager
def _a_short_turn(kind: str) -> Iterator[None]:
    """A transaction for a person's verdict (or an import's placing): it waits VERDICT_WAIT_S
    at most for a run that is saving (a run of a million records saves for minutes), then
    raises LinkageBusyError, which says so, rather than hang."""
    outermost = not connection.in_atomic_block  # SET LOCAL would outlive a nested block
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(VERDICT_WAIT_S * 1000)}ms'")
            _take_turns(kind)
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


EPOCH = LINKAGE_EPOCH.date()  # day numbers as civharm.linkage counts them
LINK_COLUMNS = ["record_id_l", "record_id_r", "match_probability"]
StepCallback = Callable[..., None]  # called with the name of each step


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- decisions and the stored links ----------------------------------------------------------


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


def _pairs(frame: pd.DataFrame, *extra: str) -> Iterator[tuple[Any, ...]]:
    """(left < right, probability, extra…) of a pair frame, as plain Python values."""
    if frame is None or not len(frame):
        return
    columns = [*LINK_COLUMNS, *extra]
    for left, right, probability, *rest in frame[columns].itertuples(index=False):
        left, right = int(left), int(right)
        if left != right:
            yield (min(left, right), max(left, right), float(probability), *rest)


def _store_links(kind: str, run: LinkRun, links: pd.DataFrame) -> int:
    RecordLink.objects.filter(kind=kind).delete()
    unique = {(left, right): p for left, right, p in _pairs(links)}
    rows = (
        RecordLink(kind=kind, left_id=left, right_id=right, probability=p, run=run)
        for (left, right), p in unique.items()
    )
    for chunk in _batches(rows):
        RecordLink.objects.bulk_create(chunk)
    return len(unique)


def _store_candidates(
    kind: str, run: LinkRun, review_pairs: pd.DataFrame, decided: set[tuple[int, int]]
) -> int:
    """Upsert the pairs waiting for review; pending ones no longer proposed are superseded."""
    proposed = {
        (left, right): (p, reason or "uncertain")
        for left, right, p, reason in _pairs(review_pairs, "reason")
        if (left, right) not in decided
    }
    existing = {
        (c.left_id, c.right_id): c
        for c in LinkCandidate.objects.filter(kind=kind)
        .only("id", "left_id", "right_id", "status")
        .iterator(chunk_size=BATCH)
    }
    changed, new = [], []
    for pair, candidate in existing.items():
        if candidate.status == "decided":
            continue
        if pair in proposed:
            candidate.probability, candidate.reason = proposed[pair]
            candidate.status, candidate.run = "pending", run
            changed.append(candidate)
        elif candidate.status == "pending":
            candidate.status = "superseded"
            changed.append(candidate)
    for (left, right), (p, reason) in proposed.items():
        if (left, right) not in existing:
            new.append(
                LinkCandidate(
                    kind=kind, left_id=left, right_id=right, probability=p, reason=reason, run=run
                )
            )
    fields = ["probability", "reason", "status", "run"]
    for chunk in _batches(changed):
        LinkCandidate.objects.bulk_update(chunk, fields)
    for chunk in _batches(new):
        LinkCandidate.objects.bulk_create(chunk)
    return LinkCandidate.objects.filter(kind=kind, status="pending").count()


# --- run --------------------------------------------------------------------------------------


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


def _model(kind: str) -> Any:
    """The civharm.linkage model of `kind` (imported late: Splink is slow to import)."""
    if kind == "incident":
        from civharm.linkage.incidents import INCIDENT_MODEL

        return INCIDENT_MODEL
    from civharm.linkage.victims import VICTIM_MODEL

    return VICTIM_MODEL


def _link(kind: str, frame: pd.DataFrame, config: LinkageSettings, **options: Any) -> Any:
    if len(frame) < 2:  # nothing to pair: every record is its own cluster
        return LinkageResult(
            clusters=pd.DataFrame(
                {"record_id": frame["record_id"], "cluster_id": frame["record_id"]}
            ),
            links=pd.DataFrame(columns=LINK_COLUMNS),
            review_pairs=pd.DataFrame(columns=[*LINK_COLUMNS, "reason"]),
        )
    from civharm.linkage.pipeline import run_model

    return run_model(frame, _model(kind), config, **options)


def _latest_model(kind: str, engine: str) -> dict[str, Any]:
    """The model the latest complete run of `kind` scored with, as stored, if that run used
    `engine` (a stored model is SQL for one engine); else {}."""
    latest = LinkRun.objects.filter(kind=kind, status="complete").order_by("-id").first()
    if latest is None or latest.engine != engine or not isinstance(latest.settings, dict):
        return {}
    stored = latest.settings.get("model")
    return dict(stored) if isinstance(stored, dict) else {}


def _reusable(kind: str, frame: pd.DataFrame, stored: dict[str, Any], fingerprint: str) -> Any:
    """A TrainedModel from `stored` if it may score this run, else None (train again).

    It may if it was trained under the same model definition (`fingerprint`), on the same
    source lists (a new list changes how many records each person has), on a number of
    records within CIVHARM_LINKAGE[kind]["retrain_after_growth"] of today's (either way: a
    restored backup shrinks the register), less than ["retrain_after_days"] ago."""
    from civharm.linkage.pipeline import TrainedModel

    if not stored:
        return None
    config = settings.CIVHARM_LINKAGE[kind]
    try:
        records = int(stored["records"])
        age = (timezone.localdate() - date.fromisoformat(stored["trained_on_day"])).days
        parameters = stored["parameters"]
        if records < 2 or not isinstance(parameters, dict):
            return None
        change = abs(len(frame) / records - 1)
        if (
            stored["fingerprint"] != fingerprint
            or stored.get("sources") != _sources(frame)
            or change > float(config["retrain_after_growth"])
            or age > int(config["retrain_after_days"])
        ):
            return None
    except (KeyError, TypeError, ValueError):
        logger.warning("the stored %s model is unreadable: training a new one", kind)
        return None
    return TrainedModel(parameters, records, fingerprint)


def _a_model_fault(error: BaseException) -> bool:
    """Whether scoring failed because of the stored model rather than the run: not an
    interrupt (DuckDB reports Ctrl-C as "Query interrupted"), memory, disk or system error."""
    import duckdb

    from civharm.linkage.engines import errors_behind

    run_faults = (duckdb.InterruptException, duckdb.OutOfMemoryException, duckdb.IOException)
    return not any(
        isinstance(cause, (*run_faults, OSError, KeyboardInterrupt))
        or "interrupted" in str(cause).lower()
        for cause in errors_behind(error)
    )


def _sources(frame: pd.DataFrame) -> list[str]:
    return sorted(str(name) for name in frame["source"].dropna().unique())


def _model_to_store(frame: pd.DataFrame, fingerprint: str) -> dict[str, Any]:
    """What the next run needs to score without training (see _reusable), but the model."""
    return {
        "parameters": None,
        "records": len(frame),
        "sources": _sources(frame),
        "trained_on_day": timezone.localdate().isoformat(),
        "fingerprint": fingerprint,
    }


def run_linkage(
    kind: str,
    *,
    engine: str = "duckdb",
    user: str,
    progress: StepCallback | None = None,
    retrain: bool = False,
    db_api: Any = None,
) -> dict[str, int]:
    """Link all records of `kind` and make the register follow: links, review queue, merges.

    Scores with the model the previous run used when it still fits the register (see
    _reusable), else trains one; `retrain` always trains. Raises
    civharm.linkage.engines.EngineUnavailable (a message for people) before anything is read
    if the engine cannot run here. `db_api`: an engine `engine` opened by the caller, left
    open (Spark keeps its first session's scratch folders for the life of its JVM, so a
    command linking both kinds opens one engine for both)."""
    from civharm.linkage.engines import close_engine, open_engine

    check_kind(kind)
    config = linkage_settings(kind, engine)
    owned = db_api is None
    if owned:
        db_api = open_engine(engine)
    try:
        run = LinkRun.objects.create(
            kind=kind, engine=engine, started_by=user, settings=_run_settings(config)
        )
        return _run(kind, run, config, db_api, user, progress, retrain)
    finally:
        if owned:
            close_engine(db_api)


def _run_settings(config: LinkageSettings) -> dict[str, Any]:
    return {
        "link_threshold": config.link_threshold,
        "review_threshold": config.review_threshold,
        "max_review_pairs": config.max_review_pairs,
        "sources_with_duplicates": sorted(config.sources_with_duplicates),
    }


def _run(
    kind: str,
    run: LinkRun,
    config: LinkageSettings,
    db_api: Any,
    user: str,
    progress: StepCallback | None,
    retrain: bool = False,
) -> dict[str, int]:
    try:
        frame = incident_frame() if kind == "incident" else victim_frame(actor=user, run_id=run.pk)
        # verdicts given after this, while the engine works, are applied when the run is saved
        seen = LinkDecision.objects.filter(kind=kind).aggregate(last=Max("id"))["last"] or 0
        decisions = latest_decisions(kind)
        from civharm.linkage.pipeline import model_fingerprint

        fingerprint = model_fingerprint(_model(kind), run.engine)
        before = _latest_model(kind, run.engine)
        reused = None if retrain else _reusable(kind, frame, before, fingerprint)
        to_store = before if reused is not None else _model_to_store(frame, fingerprint)
        try:
            result = _link(
                kind,
                frame,
                config,
                decisions=decisions,
                progress=progress,
                db_api=db_api,
                trained=reused,
            )
        except Exception as error:
            if reused is None or not _a_model_fault(error):
                raise
            # A stored model that no longer scores (a damaged row, a Splink upgrade that
            # reads it differently): train a new one rather than fail every run.
            logger.warning("the stored %s model could not score: training a new one", kind)
            if progress is not None:
                progress(_("The stored model could not be used; training a new one"))
            reused, to_store = None, _model_to_store(frame, fingerprint)
            result = _link(
                kind, frame, config, decisions=decisions, progress=progress, db_api=db_api
            )
        del frame  # names leave memory as soon as the engine is done with them
        if progress is not None:
            progress(_("Saving links and merges"))
        if reused is None:
            to_store["parameters"] = result.model
        if to_store["parameters"] is not None:  # None: too few records to train anything
            run.settings = {**run.settings, "model": to_store, "model_trained": reused is None}
        return _store_run(kind, run, result, decisions, seen, user)
    except BaseException:
        LinkRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
        raise


def _store_run(
    kind: str, run: LinkRun, result: Any, decisions: pd.DataFrame, seen: int, user: str
) -> dict[str, int]:
    """Links, review pairs and clusters to the register; then the verdicts given since the
    run read them (ids above `seen`) are applied on top, so no verdict is undone by a run."""
    decided = set(zip(decisions["record_id_l"], decisions["record_id_r"], strict=True))
    with transaction.atomic():
        _take_turns(kind)
        links = _store_links(kind, run, result.links)
        pending = _store_candidates(kind, run, result.review_pairs, decided)
        applied = apply_clusters(kind, result.clusters)
        summary = result.summary()
        run.records, run.clusters = summary["records"], summary["clusters"]
        owners = applied["owners"]
        run.status, run.finished_at = "complete", timezone.now()
        run.save()  # complete now: pairs the re-clustering below proposes go under this run
        newer = list(
            LinkDecision.objects.filter(kind=kind, id__gt=seen).values_list("left", "right")
        )
        if newer:
            for left, right in newer:
                LinkCandidate.objects.filter(kind=kind, left_id=left, right_id=right).update(
                    status="decided"
                )
            recluster(kind, {record for pair in newer for record in pair})
            pending = LinkCandidate.objects.filter(kind=kind, status="pending").count()
            run.clusters = owners = _owners_holding_records(kind)
        if kind == "person":  # new lists' persons too: each person's incident again
            place_persons()
        else:  # the incidents that gained or lost reports, and those imported since
            _place_near_changed_incidents(run, applied["touched"])
        run.links, run.review_pairs = links, pending
        run.save()
        counts = {
            "records": run.records,
            "clusters": run.clusters,
            "links": links,
            "review_pairs": pending,
            f"{kind}s": owners,
            # A state, not this run's change: re-running on the same register gives the same.
            f"{kind}s_merged": OWNERS[kind].owner.objects.filter(merged_into__isnull=False).count(),
            # persons counted towards an incident now (civharm.linkage.placing)
            "persons_placed": _persons_placed(),
            # 1 if this run trained its model, 0 if it scored with the previous run's
            "model_trained": int(bool(run.settings.get("model_trained", False))),
        }
        audit.record(user, "link", "LinkRun", run.pk, details={"kind": kind, **counts})
    return counts


def _place_near_changed_incidents(run: LinkRun, touched: set[int]) -> None:
    """After a run on incidents: place again the persons of and near the incidents it changed
    and the incidents created since the previous run (an event alone in its incident is
    never "touched"); on the first run, everyone."""
    previous = (
        LinkRun.objects.filter(kind="incident", status="complete", pk__lt=run.pk)
        .order_by("-pk")
        .first()
    )
    if previous is None:
        _take_turns("person")
        place_persons()
        return
    created = Incident.objects.filter(created_at__gte=previous.started_at, merged_into=None)
    changed = touched | set(created.values_list("id", flat=True))
    if changed:
        _place_again("incident", changed)


def place_new_persons(person_ids: set[int]) -> None:
    """Place the persons an import just created (each of one record until linkage), in the
    person lock's turn; if a run is saving, that run or the next places them instead."""
    try:
        with _a_short_turn("person"):
            place_persons(person_ids)
    except LinkageBusyError:
        logger.info("a linkage run is saving: the imported persons are placed by a run")


def _persons_placed() -> int:
    """Persons (not merged) counted towards an incident now."""
    return Person.objects.filter(merged_into=None).exclude(incident=None).count()


def _owners_holding_records(kind: str) -> int:
    """Incidents (persons) that hold at least one event report (victim record) now."""
    owners = OWNERS[kind]
    field = owners.owner_field
    return _holders(owners).exclude(**{f"{field}__isnull": True}).values(field).distinct().count()


# --- clusters -> register -------------------------------------------------------------------


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
    with _a_short_turn(kind):
        made = _record_decision(kind, pair, decision, user, note.strip())
        return {"decision": made.pk, **recluster(kind, set(pair))}


def split_off(kind: str, report_id: int, *, user: str) -> dict[str, int]:
    """Undo a merge for one report: "different" from every other report of its incident
    (victim record of its person)."""
    check_kind(kind)
    owners = OWNERS[kind]
    with _a_short_turn(kind):  # before reading the owner: a run saving may move it
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


def _holders(owners: Owners) -> Any:
    """The records linkage groups: event reports (not victim reports), or victim records."""
    holders = owners.holder.objects.all()
    return holders.filter(kind="event") if owners.holder is Report else holders


def _records_of(owners: Owners, owner_ids: set[int]) -> set[int]:
    holders = _holders(owners).filter(**{f"{owners.owner_field}__in": owner_ids})
    return set(holders.values_list(owners.holder_key, flat=True))


def linked_with(kind: str, report_id: int) -> set[int]:
    """The other records `report_id` counts with now: its incident's event reports, or its
    person's victim records (empty if it is not one of them)."""
    owners = OWNERS[kind]
    owner = owners.holdings([report_id]).get(report_id)
    return set() if owner is None else _records_of(owners, {owner}) - {report_id}


def recluster(kind: str, record_ids: set[int]) -> dict[str, int]:
    """Cluster again the records of the incidents (persons) of `record_ids`, from the stored
    links among them and the decisions, and apply the result."""
    from civharm.linkage.clustering import cluster_records

    owners = OWNERS[kind]
    before = set(owners.holdings(record_ids).values())
    group = _records_of(owners, before) | record_ids
    config = linkage_settings(kind)
    model = _model(kind)
    records = _records_frame(owners, group)[["record_id", "source", *model.rules.columns()]]
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
    _propose_chained(kind, chained, decisions)
    applied = apply_clusters(kind, clusters)
    _place_again(kind, before | set(owners.holdings(group).values()))
    return {"records": len(group), "clusters": applied["owners"], "merged": applied["merged"]}


def _place_again(kind: str, owner_ids: set[int]) -> None:
    """Place again the persons a re-clustering touched: those holding its victim records, or
    those counted in its incidents and those whose records could fit them (a merged
    incident's persons go to the one it joined; a tie a split left may be settled)."""
    if kind == "incident":
        _take_turns("person")  # persons' incidents are written under the person lock
        if len(owner_ids) > BATCH:  # a first run, or a register relinked: everyone
            place_persons()
            return
        counted = Person.objects.filter(incident_id__in=sorted(owner_ids))
        owner_ids = set(counted.values_list("id", flat=True)) | persons_near(owner_ids)
    place_persons(owner_ids)


def _records_frame(owners: Owners, group: set[int]) -> pd.DataFrame:
    """record_id, source and what the model's cluster rules read (never a name): the day
    numbers of a report's date window; a victim record's age, sex, day of harm and cercle."""
    if owners.holder is VictimRecord:
        victims = VictimRecord.objects.filter(report_id__in=group).values_list(
            "report_id", "report__source__name", "age", "sex", "report__date_start",
            "report__admin2_pcode",
        )  # fmt: skip
        people = [
            (r, source, age, sex_code(sex), _day(day), cercle or None)
            for r, source, age, sex, day, cercle in victims
        ]
        columns = ["record_id", "source", "age", "sex", "event_day", "admin2_pcode"]
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
    for left, right, p in _pairs(chained):
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
    model = _model("person")
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
