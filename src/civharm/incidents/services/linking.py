"""Linkage runs: link the register's frames, store links and review pairs, move reports between
incidents (records between persons) to follow them. Never deletes an incident or person or
changes what a source said; names are decrypted in memory only, audited, never stored or logged."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.core.processes import this_process
from civharm.incidents.models import (
    Incident,
    LinkCandidate,
    LinkDecision,
    LinkRun,
    Person,
    RecordLink,
)
from civharm.incidents.services.linkage_frames import incident_frame, victim_frame
from civharm.incidents.services.merging import (
    BATCH,
    OWNERS,
    LinkageBusyError,
    apply_clusters,
    batches,
    check_kind,
)
from civharm.incidents.services.name_words import index_pending
from civharm.incidents.services.placing import place_persons
from civharm.incidents.services.verdicts import (
    LINK_COLUMNS,
    a_short_turn,
    holders,
    latest_decisions,
    link_pairs,
    linkage_model,
    linkage_settings,
    place_again,
    recluster,
    take_turns,
)
from civharm.linkage.results import LinkageResult, LinkageSettings

__all__ = ["persons_placed", "place_new_persons", "run_linkage"]

logger = logging.getLogger(__name__)
StepCallback = Callable[..., None]  # called with the name of each step


# --- the stored links and review pairs --------------------------------------------------------


def _store_links(kind: str, run: LinkRun, links: pd.DataFrame) -> int:
    RecordLink.objects.filter(kind=kind).delete()
    unique = {(left, right): p for left, right, p in link_pairs(links)}
    rows = (
        RecordLink(kind=kind, left_id=left, right_id=right, probability=p, run=run)
        for (left, right), p in unique.items()
    )
    for chunk in batches(rows):
        RecordLink.objects.bulk_create(chunk)
    return len(unique)


def _store_candidates(
    kind: str, run: LinkRun, review_pairs: pd.DataFrame, decided: set[tuple[int, int]]
) -> int:
    """Upsert the pairs waiting for review; pending ones no longer proposed are superseded."""
    proposed = {
        (left, right): (p, reason or "uncertain")
        for left, right, p, reason in link_pairs(review_pairs, "reason")
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
    for chunk in batches(changed):
        LinkCandidate.objects.bulk_update(chunk, fields)
    for chunk in batches(new):
        LinkCandidate.objects.bulk_create(chunk)
    return LinkCandidate.objects.filter(kind=kind, status="pending").count()


# --- run --------------------------------------------------------------------------------------


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

    return run_model(frame, linkage_model(kind), config, **options)


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
        for stopped in close_stopped_runs(kind):
            if progress is not None:
                progress(
                    _(
                        "Run #{run} of {started} never finished (its process was stopped "
                        "outright): nothing of it was kept, and it is now marked failed."
                    ).format(
                        run=stopped.pk,
                        started=formats.date_format(
                            timezone.localtime(stopped.started_at), "SHORT_DATETIME_FORMAT"
                        ),
                    )
                )
        run = LinkRun.objects.create(
            kind=kind, engine=engine, started_by=user, settings=_run_settings(config)
        )
        return _run(kind, run, config, db_api, user, progress, retrain)
    finally:
        if owned:
            close_engine(db_api)


def close_stopped_runs(kind: str) -> list[LinkRun]:
    """Runs of `kind` still marked running whose process is gone (killed outright, or the
    machine stopped), marked failed. A run saves in one transaction, which its death rolled
    back: nothing of it stands. Runs of another machine, or of a live process, are left."""
    running = LinkRun.objects.filter(kind=kind, status="running").order_by("id")
    stopped = [run for run in running if run.stopped_outright()]
    for run in stopped:
        LinkRun.objects.filter(pk=run.pk, status="running").update(
            status="failed", finished_at=timezone.now()
        )
        logger.warning("%s run %s never finished: marked failed", kind, run.pk)
    return stopped


def _run_settings(config: LinkageSettings) -> dict[str, Any]:
    return {
        "process": this_process(),  # a later run tells a stopped run from a running one
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
        if kind == "person":  # the pairs it puts to review take notes: their names are indexed
            index_pending(user)
        # verdicts given after this, while the engine works, are applied when the run is saved
        seen = LinkDecision.objects.filter(kind=kind).aggregate(last=Max("id"))["last"] or 0
        decisions = latest_decisions(kind)
        from civharm.linkage.pipeline import model_fingerprint

        fingerprint = model_fingerprint(linkage_model(kind), run.engine)
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
        take_turns(kind)
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
            "persons_placed": persons_placed(),
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
        take_turns("person")
        place_persons()
        return
    created = Incident.objects.filter(created_at__gte=previous.started_at, merged_into=None)
    changed = touched | set(created.values_list("id", flat=True))
    if changed:
        place_again("incident", changed)


def place_new_persons(person_ids: set[int]) -> None:
    """Place the persons an import just created (each of one record until linkage), in the
    person lock's turn; if a run is saving, that run or the next places them instead."""
    try:
        with a_short_turn("person"):
            place_persons(person_ids)
    except LinkageBusyError:
        logger.info("a linkage run is saving: the imported persons are placed by a run")


def persons_placed() -> int:
    """Persons (not merged) counted towards an incident now."""
    return Person.objects.filter(merged_into=None).exclude(incident=None).count()


def _owners_holding_records(kind: str) -> int:
    """Incidents (persons) that hold at least one event report (victim record) now."""
    owners = OWNERS[kind]
    field = owners.owner_field
    return holders(owners).exclude(**{f"{field}__isnull": True}).values(field).distinct().count()


# --- clusters -> register -------------------------------------------------------------------
