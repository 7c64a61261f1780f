"""Estimates in the register: capture histories from linked persons, runs stored for the pages.

Reads which source lists name each person, and where and when they were harmed; never a name.
The stored run holds aggregates only (pattern counts per stratum).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civharm.accounts import audit
from civharm.analysis.models import EstimateRun, StratumEstimate
from civharm.estimation.histories import CaptureHistories, read_histories_csv
from civharm.estimation.results import Estimate, EstimationWarning
from civharm.estimation.strata import METHODS, EstimationReport, estimate_population
from civharm.estimation.strata import estimate_strata as estimate_each_stratum
from civharm.incidents.models import VictimRecord

# What a person's stratum can be keyed on (`civharm estimate --by region,year`).
STRATUM_FIELDS = ("region", "cercle", "year", "sex", "age_band", "harm")
UNKNOWN = "?"

_RECORD_VALUES = (
    "person_id",
    "report__source__name",
    "person__incident__admin1_name",
    "report__admin1_name",
    "person__incident__admin2_name",
    "report__admin2_name",
    "person__date_of_harm",
    "person__incident__date_start",
    "report__date_start",
    "person__sex",
    "person__age_band",
    "person__harm_type",
)


class EstimationInputError(ValueError):
    """A stratification field or option the register cannot use; the message says which."""


def check_fields(by: Sequence[str]) -> tuple[str, ...]:
    unknown = [field for field in by if field not in STRATUM_FIELDS]
    if unknown:
        raise EstimationInputError(
            _("Cannot stratify by {fields}: choose among {choices}.").format(
                fields=", ".join(unknown), choices=", ".join(STRATUM_FIELDS)
            )
        )
    return tuple(by)


def _stratum(row: tuple[Any, ...], by: Sequence[str]) -> tuple[str, ...]:
    (_p, _s, region, region_r, cercle, cercle_r, harmed, incident_day, report_day, *rest) = row
    sex, age_band, harm = rest
    day = harmed or incident_day or report_day
    values = {
        "region": region or region_r,
        "cercle": cercle or cercle_r,
        "year": str(day.year) if day else "",
        "sex": sex if sex != "unknown" else "",
        "age_band": age_band,
        "harm": harm,
    }
    return tuple(values[field] or UNKNOWN for field in by)


def register_strata(by: Sequence[str] = ()) -> dict[tuple[str, ...], CaptureHistories]:
    """Capture histories of the register's persons (those not merged into another), per stratum:
    the lists that name each person are the sources of their victim records."""
    by = check_fields(by)
    rows = (
        VictimRecord.objects.filter(person__merged_into__isnull=True)
        .order_by("person_id", "report_id")
        .values_list(*_RECORD_VALUES)
        .iterator(chunk_size=5000)
    )
    seen: Counter[tuple[tuple[str, ...], frozenset[str]]] = Counter()
    lists: set[str] = set()
    for _person, records in groupby(rows, key=lambda row: row[0]):
        records = list(records)
        members = frozenset(row[1] for row in records)
        lists |= members
        seen[(_stratum(records[0], by), members)] += 1
    return _histories_by_stratum(seen, lists)


def _histories_by_stratum(
    seen: Mapping[tuple[tuple[str, ...], frozenset[str]], int], lists: Iterable[str]
) -> dict[tuple[str, ...], CaptureHistories]:
    """One capture-history table per stratum, straight from the counts of each pattern."""
    names = sorted(lists)
    tables: dict[tuple[str, ...], tuple[list[list[int]], list[int]]] = {}
    for (key, members), count in seen.items():
        patterns, counts = tables.setdefault(key, ([], []))
        patterns.append([int(name in members) for name in names])
        counts.append(count)
    return {
        key: CaptureHistories.from_table(names, patterns, counts)
        for key, (patterns, counts) in tables.items()
    }


def lcm_options(iterations: int | None = None, chains: int | None = None, seed: int = 0) -> Any:
    """The latent-class sampler's options from settings, with the command's overrides."""
    from civharm.estimation.lcm import LCMOptions

    configured = dict(settings.CIVHARM_ESTIMATION["lcm"])
    if iterations:  # a shorter run keeps a burn-in in proportion, never none
        burn_in = int(configured.get("burn_in", LCMOptions.burn_in))
        configured["iterations"] = iterations
        configured["burn_in"] = max(min(burn_in, iterations // 2), 1)
    if chains:
        configured["chains"] = chains
    return LCMOptions(**configured, seed=seed)


def estimate_options(
    iterations: int | None = None,
    chains: int | None = None,
    seed: int = 0,
    bootstrap: int | None = None,
) -> dict[str, Any]:
    """Each method's options from settings, with one run's overrides."""
    from civharm.estimation.loglinear import LoglinearOptions

    loglinear = dict(settings.CIVHARM_ESTIMATION["loglinear"])
    if bootstrap is not None:
        loglinear["n_bootstrap"] = bootstrap
    return {
        "loglinear": LoglinearOptions(**loglinear, seed=seed),
        "lcm": lcm_options(iterations, chains, seed),
    }


Progress = Callable[[str], None]


def run_estimates(
    *,
    user: str,
    by: Sequence[str] = (),
    methods: Sequence[str] = METHODS,
    histories_file: Path | None = None,
    options: Mapping[str, Any] | None = None,
    sensitivity: bool = True,
    progress: Progress | None = None,
) -> EstimateRun:
    """Estimate (per stratum and in total), store the run and audit it; returns the run."""
    by = () if histories_file else check_fields(by)
    options = options or estimate_options()
    run = EstimateRun.objects.create(
        started_by=user,
        input_kind="histories" if histories_file else "register",
        input_name=histories_file.name if histories_file else "",
        by=list(by),
        methods=list(methods),
        options=_describe(options),
    )
    try:
        strata = {(): read_histories_csv(histories_file)} if histories_file else register_strata(by)
        if not any(h.documented for h in strata.values()):
            raise EstimationInputError(_nothing_to_estimate(histories_file))
        report = estimate_each_stratum(
            strata,
            by,
            methods,
            options,
            progress=(lambda key: progress(" × ".join(key) or _("all"))) if progress else None,
        )
        spread = linkage_sensitivity(options) if sensitivity and not histories_file else []
    except Exception:
        EstimateRun.objects.filter(pk=run.pk).update(status="failed", finished_at=timezone.now())
        raise
    _store(run, report, spread)
    audit.record(user, "estimate", "EstimateRun", run.pk, details=_audit_details(run))
    return run


def _nothing_to_estimate(histories_file: Path | None) -> str:
    if histories_file:
        return _("{file} names nobody: every count is zero.").format(file=histories_file.name)
    return _(
        "The register has no victim records to estimate from: import the victim lists "
        "(civharm import victims) and link them (civharm link) first."
    )


def _describe(options: Mapping[str, Any]) -> dict[str, Any]:
    described = {}
    for method, value in options.items():
        fields = asdict(value) if is_dataclass(value) and not isinstance(value, type) else {}
        described[method] = {k: v for k, v in fields.items() if _is_plain(v)}
    return described


def _is_plain(value: object) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


@transaction.atomic
def _store(run: EstimateRun, report: EstimationReport, spread: list[dict[str, Any]]) -> None:
    rows = [
        _row(run, list(stratum.key), False, estimate, stratum.histories)
        for stratum in report.strata
        for estimate in stratum.estimates.values()
    ]
    if len(report.strata) > 1:
        rows += [_row(run, [], True, e, None) for e in report.total.values()]
    StratumEstimate.objects.bulk_create(rows)
    run.lists = list(report.lists)
    run.documented = report.documented
    run.sensitivity = spread
    run.status = "complete"
    run.finished_at = timezone.now()
    run.save()


def _row(
    run: EstimateRun,
    key: list[str],
    is_total: bool,
    estimate: Estimate,
    histories: CaptureHistories | None,
) -> StratumEstimate:
    return StratumEstimate(
        run=run,
        key=key,
        is_total=is_total,
        method=estimate.method,
        documented=estimate.documented,
        total=estimate.total,
        low=estimate.low,
        high=estimate.high,
        model=estimate.model[:300],
        warnings=[_stored_warning(w) for w in estimate.warnings],
        details=_plain_details(estimate.details),
        histories=_histories_json(histories) if histories is not None else {},
    )


def _stored_warning(warning: EstimationWarning) -> dict[str, Any]:
    """Code, English template and parameters: shown later in the reader's language."""
    params = _plain_details(warning.params)
    return {"code": warning.code, "template": warning.template, "params": params}


def _plain_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """What JSON can hold of an estimate's details (numpy numbers as Python numbers)."""

    def default(value: object) -> object:
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
        return str(value)

    return json.loads(json.dumps(dict(details), default=default))


def _histories_json(histories: CaptureHistories) -> dict[str, Any]:
    return {
        "lists": list(histories.lists),
        "patterns": histories.patterns.tolist(),
        "counts": histories.counts.tolist(),
    }


def _audit_details(run: EstimateRun) -> dict[str, object]:
    return {"by": run.by, "methods": run.methods, "documented": run.documented}


def linkage_sensitivity(options: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The log-linear total at the review, link and a stricter threshold: linkage errors bias
    estimates (missed links inflate them, false links deflate them), so show the spread."""
    from civharm.incidents.models import LinkRun
    from civharm.incidents.services.verdicts import linkage_settings, person_clusters_at

    if not LinkRun.objects.filter(kind="person", status="complete").exists():
        return []
    config = linkage_settings("person")
    thresholds = sorted({config.review_threshold, config.link_threshold, 0.99})
    spread = []
    for threshold in thresholds:
        clusters = person_clusters_at(threshold)
        members = clusters.groupby("cluster_id")["source"].agg(frozenset)
        histories = CaptureHistories.from_memberships(members)
        estimate = estimate_population(histories, ["loglinear"], options)["loglinear"]
        spread.append(
            {
                "threshold": threshold,
                "documented": estimate.documented,
                "total": estimate.total,
                "low": estimate.low,
                "high": estimate.high,
            }
        )
    return spread
