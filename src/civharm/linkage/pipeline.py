"""One linkage run, whatever the model: prepare the frame, train, score pairs in the engine,
cluster with guards, and hand back links and pairs for review.

The engine keeps the candidate pairs; Python only ever receives the pairs that scored above
the review threshold (about as many as there are true links), never all blocked pairs.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import splink
from splink import Linker, SettingsCreator
from splink.internals.exceptions import EMTrainingException

from civharm.core.collector import collector_skips_what_exists
from civharm.core.i18n import _
from civharm.linkage.clustering import (
    PAIR_COLUMNS,
    ClusterRules,
    cluster_records,
    latest_decisions,
    without_two_entries_of_one_source,
)
from civharm.linkage.frames import DELIVERY
from civharm.linkage.results import LinkageResult, LinkageSettings

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkageModel:
    """A linkage model is data: how to prepare records, how to compare them, how to train."""

    name: str
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    settings: Callable[[], SettingsCreator]
    train: Callable[[Linker, int], None]  # the prior and u, from the data (linker, records)
    # m by expectation maximisation, when the data allow: on a short list EM can drive an m
    # to zero (Splink then refuses the model) and the starting m values stand instead.
    refine: Callable[[Linker], None] | None = None
    # Probabilities that follow from the records themselves rather than from training (e.g.
    # how often lists give a cercle), set on the trained model: (model JSON, records) -> JSON.
    fit_to_records: Callable[[dict[str, Any], pd.DataFrame], dict[str, Any]] | None = None
    distinct_within_source: bool = True
    rules: ClusterRules = field(default_factory=ClusterRules)


@dataclass(frozen=True)
class TrainedModel:
    """A model trained by an earlier run, to score this run's pairs without training again.

    Training (prior, u from random pairs, EM) is most of a run on a register of up to a few
    hundred thousand records; what it learns moves slowly as a register grows. `parameters`
    is Splink's model JSON; `records` how many records it was trained on; `fingerprint` the
    model_fingerprint() it was trained under (a changed model definition must train again).
    """

    parameters: dict[str, Any]
    records: int
    fingerprint: str


# What a trained model depends on besides numbers: the modules that prepare and compare
# records (the linkage package; text folding and place qualifiers in core) and the country
# pack's names, taxonomies, admin units and main towns.
_PACKAGE = Path(__file__).parent
_CORE_MODULES = ("text.py", "gazetteer.py")
# the register's side: it builds the frames the models read (incident_frame, victim_frame)
_FRAME_MODULES = (("incidents", "services", "linkage_frames.py"),)
_MODEL_DATA = ("names.json", "taxonomies.json", "admin1.csv", "admin2.csv", "localities.csv")


def model_fingerprint(model: LinkageModel, engine: str) -> str:
    """Changes whenever anything that defines the model does: the linkage package's modules
    (comparisons, name folding, preparation, training, clustering), core/text.py and
    core/gazetteer.py, incidents/services/linkage_frames.py (which builds the frames), the country
    pack's names, taxonomies, admin units and localities,
    Splink's version or the engine (a stored model is SQL for one engine, over columns one
    version of the code prepares)."""
    digest = hashlib.sha256(f"{model.name}|{splink.__version__}|{engine}".encode())
    for path in _definition_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _definition_files() -> list[Path]:
    pack = _PACKAGE.parent / "country_packs" / "mali"
    # Installed without its sources (.pyc only), the compiled modules stand for them.
    modules = sorted(_PACKAGE.glob("*.py")) or sorted(_PACKAGE.glob("__pycache__/*.pyc"))
    core = [_PACKAGE.parent / "core" / name for name in _CORE_MODULES]
    frames = [_PACKAGE.parent.joinpath(*parts) for parts in _FRAME_MODULES]
    present = [path for path in frames if path.exists()]  # the pure package alone has none
    return [*modules, *core, *present, *(pack / name for name in _MODEL_DATA)]


def for_this_register(trained: TrainedModel, records: int) -> dict[str, Any]:
    """The stored model with its prior fitted to this register's size: the probability that
    two random records match falls as 1/records when each person has about as many records
    (matching pairs grow with the records, pairs with their square)."""
    parameters = dict(trained.parameters)
    prior = float(parameters.get("probability_two_random_records_match") or 0.0)
    scaled = prior * max(trained.records - 1, 1) / max(records - 1, 1)
    pairs = max(records * (records - 1) / 2, 1.0)
    parameters["probability_two_random_records_match"] = min(max(scaled, 1 / pairs), 0.5)
    return parameters


def run_model(
    frame: pd.DataFrame,
    model: LinkageModel,
    settings: LinkageSettings,
    *,
    decisions: pd.DataFrame | None = None,
    progress: Progress | None = None,
    db_api: Any = None,
    trained: TrainedModel | None = None,
) -> LinkageResult:
    """Link the records of `frame` (one row per record, `record_id` unique) with `model`.

    `trained`: score with this earlier model instead of training (see TrainedModel); the
    result's `model` is the one used, trained here or not.
    """
    with collector_skips_what_exists():
        return _run_model(frame, model, settings, decisions, progress, db_api, trained)


def _run_model(
    frame: pd.DataFrame,
    model: LinkageModel,
    settings: LinkageSettings,
    decisions: pd.DataFrame | None,
    progress: Progress | None,
    db_api: Any,
    trained: TrainedModel | None,
) -> LinkageResult:
    say = progress or (lambda _step: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    if frame.empty:
        return _empty_result()
    say(_("Preparing {count} records").format(count=len(frame)))
    prepared = model.prepare(frame)
    timings["prepare_s"] = time.perf_counter() - started
    owns_engine = db_api is None
    if owns_engine:
        from civharm.linkage.engines import open_engine

        db_api = open_engine(settings.engine)
    try:
        scored, used = _score_pairs(prepared, model, settings, db_api, say, timings, trained)
    finally:
        if owns_engine:
            from civharm.linkage.engines import close_engine

            close_engine(db_api)
    say(_("Forming clusters from {count} scored pairs").format(count=len(scored)))
    step = time.perf_counter()
    records = prepared[["record_id", "source", *model.rules.columns()]]
    if DELIVERY in frame:
        delivery = frame.set_index(frame["record_id"].astype("int64"))[DELIVERY]
        records = records.assign(**{DELIVERY: delivery.reindex(records["record_id"]).to_numpy()})
    result = assemble_result(records, scored, decisions, model, settings)
    timings["cluster_s"] = time.perf_counter() - step
    timings["total_s"] = time.perf_counter() - started
    result.stats.update(timings)
    result.stats["trained"] = trained is None
    result.model = used
    return result


def _score_pairs(
    prepared: pd.DataFrame,
    model: LinkageModel,
    settings: LinkageSettings,
    db_api: Any,
    say: Progress,
    timings: dict[str, float],
    trained: TrainedModel | None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    step = time.perf_counter()
    table = db_api.register(prepared)
    if trained is None:
        model_json = _train(table, model, prepared, say)
    else:
        say(_("Scoring with the model trained on {count} records").format(count=trained.records))
        model_json = for_this_register(trained, len(prepared))
    linker = Linker(table, model_json, log_level=logging.ERROR, validate_settings=False)
    timings["train_s"] = time.perf_counter() - step
    step = time.perf_counter()
    say(_("Scoring candidate pairs"))
    predictions = linker.inference.predict(threshold_match_probability=settings.review_threshold)
    table_name = predictions.physical_name  # made by Splink, not from input
    query = f"SELECT record_id_l, record_id_r, match_probability FROM {table_name}"  # noqa: S608
    scored = linker.misc.query_sql(query, output_type="pandas")  # the table name is Splink's
    predictions.drop_table_from_database_and_remove_from_cache()
    timings["predict_s"] = time.perf_counter() - step
    return _ordered_pairs(scored), model_json


def _train(
    table: Any, model: LinkageModel, prepared: pd.DataFrame, say: Progress
) -> dict[str, Any]:
    records = len(prepared)
    # No validation: Splink's only logs warnings, which ERROR hides, and took 0.08 s a Linker;
    # tests/linkage/test_engines.py validates each model's settings against its records.
    linker = Linker(table, model.settings(), log_level=logging.ERROR, validate_settings=False)
    say(_("Training the model on these records"))
    model.train(linker, records)
    if model.refine is not None:
        trained = linker.misc.save_model_to_json()
        try:
            model.refine(linker)
        except (ValueError, EMTrainingException):  # the latter: no pair to train on at all
            logger.info("too few pairs to refine the %s model; starting m values kept", model.name)
            linker = Linker(table, trained, log_level=logging.ERROR, validate_settings=False)
    model_json = _no_impossible_levels(linker, records)
    if model.fit_to_records is not None:
        model_json = model.fit_to_records(model_json, prepared)
    return model_json


MIN_M_PROBABILITY = 0.001


def _no_impossible_levels(linker: Linker, records: int) -> dict[str, Any]:
    """The trained model with every m at least MIN_M_PROBABILITY: EM can find that no match
    in the training pairs disagreed on a field (m≈0), which would make one clerical error
    veto a pair however well everything else agrees. On a short list the near-certain rules
    may find no pair at all: the prior is then taken as one match among all pairs."""
    model = linker.misc.save_model_to_json()
    pairs = max(records * (records - 1) / 2, 1.0)
    prior = model.get("probability_two_random_records_match") or 0.0
    model["probability_two_random_records_match"] = min(max(prior, 1 / pairs), 0.5)
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if m is not None and m < MIN_M_PROBABILITY:
                level["m_probability"] = MIN_M_PROBABILITY
    return model


def random_pairs_for_u(records: int) -> float:
    """Random pairs to sample for u: enough for every level's count on a short list, and
    no more than a million on a long one (more did not change the figures we measured)."""
    return float(min(1_000_000, max(200_000, 20 * records)))


def _ordered_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    left = pairs["record_id_l"].astype("int64")
    right = pairs["record_id_r"].astype("int64")
    return pd.DataFrame(
        {
            "record_id_l": left.where(left < right, right),
            "record_id_r": right.where(left < right, left),
            "match_probability": pairs["match_probability"].astype("float64"),
        }
    )


def assemble_result(
    records: pd.DataFrame,
    scored: pd.DataFrame,
    decisions: pd.DataFrame | None,
    model: LinkageModel,
    settings: LinkageSettings,
) -> LinkageResult:
    """Clusters, the links they rest on, and the pairs a person should look at."""
    clusters, chained = cluster_records(
        records,
        scored,
        decisions,
        link_threshold=settings.link_threshold,
        distinct_within_source=model.distinct_within_source,
        sources_with_duplicates=settings.sources_with_duplicates,
        rules=model.rules,
    )
    cluster_of = clusters.set_index("record_id")["cluster_id"]
    same = (
        cluster_of.reindex(scored["record_id_l"]).to_numpy()
        == cluster_of.reindex(scored["record_id_r"]).to_numpy()
    )
    strong = scored["match_probability"].to_numpy() >= settings.link_threshold
    links = scored[same & strong].reset_index(drop=True)
    verdicts = latest_decisions(decisions)
    uncertain = scored[~same & ~strong].copy()
    uncertain["reason"] = "uncertain"
    review = pd.concat([f for f in (chained, uncertain) if not f.empty] or [chained])
    review = review.reset_index(drop=True)
    if verdicts and len(review):
        decided = [
            (int(a), int(b)) in verdicts
            for a, b in review[["record_id_l", "record_id_r"]].itertuples(index=False)
        ]
        review = review[~pd.Series(decided, index=review.index)]
    if model.distinct_within_source:
        review = without_two_entries_of_one_source(
            review, records, model.rules.entry_columns(), settings.sources_with_duplicates
        )
    review = _most_useful_first(review, settings.max_review_pairs)
    result = LinkageResult(clusters=clusters, links=links, review_pairs=review)
    result.stats.update(result.summary())
    return result


def _most_useful_first(review: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Chained clusters first, then the pairs the model is least sure about."""
    if review.empty:
        return review.reset_index(drop=True)
    ranked = review.assign(
        _chained=(review["reason"] == "chained").astype(int),
        _doubt=(review["match_probability"] - 0.5).abs(),
    ).sort_values(["_chained", "_doubt", "record_id_l"], ascending=[False, True, True])
    return ranked.drop(columns=["_chained", "_doubt"]).head(limit).reset_index(drop=True)


def _empty_result() -> LinkageResult:
    empty_pairs = pd.DataFrame(columns=[*PAIR_COLUMNS, "reason"])
    return LinkageResult(
        clusters=pd.DataFrame({"record_id": [], "cluster_id": []}, dtype="int64"),
        links=pd.DataFrame(columns=PAIR_COLUMNS),
        review_pairs=empty_pairs,
        stats={"records": 0, "clusters": 0, "links": 0, "review_pairs": 0},
    )
