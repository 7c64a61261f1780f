"""The one disclosure-controlled release of the register that partners receive.

Every figure a reader without `view_uncontrolled_aggregates` sees — dashboard, overview,
API, CSV downloads, briefs — is a cell of `partner_release()`: one fixed release of the whole
register, protected in one call, so that no two figures shown to partners come from releases
that could be subtracted from one another (docs/disclosure.md, "One release per output").
Never filter it, never protect another table of the same records for partners, and never
return the value of a withheld cell.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from civharm.analysis.dashboard import DashboardFilter, harm_types_recorded, unit_records
from civharm.analysis.estimates import UNKNOWN
from civharm.analysis.models import EstimateRun
from civharm.analysis.snapshot import RegisterSnapshot, register_snapshot
from civharm.core.gazetteer import Gazetteer
from civharm.disclosure import ProtectedRelease, TableSpec, protect_counts

INCIDENTS = "incidents"
DOCUMENTED = "documented"  # persons documented, per region, of the latest estimate run
ALWAYS_PUBLISHED_HARMS = ("killed", "injured", "abducted")
DIMENSIONS = ("region", "cercle", "month", "actor", "context")
ACTOR_JOIN = "+"  # an incident's sorted alleged actors, as one value: "fama+jnim"
MEASURE = "value"
PARTNER_TABLES = (
    TableSpec("figure", ("figure",)),
    *(TableSpec(f"figure_{dimension}", ("figure", dimension)) for dimension in DIMENSIONS),
)


@dataclass(frozen=True)
class _Cached:
    fingerprint: tuple[Any, ...]
    release: ProtectedRelease


_cache: _Cached | None = None
_cache_lock = threading.Lock()


def table_name(dimension: str | None) -> str:
    """The release's table of `figure` broken down by `dimension` (None: the totals)."""
    return "figure" if dimension is None else f"figure_{dimension}"


def published_value(
    release: ProtectedRelease, figure: str, dimension: str | None = None, key: str | None = None
) -> int | None:
    """A cell of the release: the total of `figure` (incidents, killed…, documented), or its
    value for `key` of `dimension` (region or cercle P-code, "YYYY-MM", actor set "a+b",
    context). None when withheld; 0 when the release holds nothing there."""
    if dimension is None:
        return release.table("figure").value(figure)
    if key is None:
        raise KeyError(f"a key of {dimension} is needed")
    return release.table(table_name(dimension)).value(figure, key)


def actor_value(actors: tuple[str, ...] | list[str]) -> str:
    """An incident's actors as one partition value ("" when none is recorded)."""
    return ACTOR_JOIN.join(sorted(a for a in actors if a))


def published_figures(release: ProtectedRelease) -> list[str]:
    """The figures of the release, incidents first, documented last."""
    names = {cell.key[0] for cell in release.table("figure").cells}
    order = [INCIDENTS, *ALWAYS_PUBLISHED_HARMS]
    rest = sorted(names - {*order, DOCUMENTED})
    return [*order, *rest, *([DOCUMENTED] if DOCUMENTED in names else [])]


def partner_release() -> ProtectedRelease:
    """The release of the whole register for partners, recomputed only when the snapshot's
    content, the latest estimate run or the threshold changed."""
    global _cache
    snapshot = register_snapshot()
    with _cache_lock:  # one computation at a time: others wait for it rather than repeat it
        run = _estimate_run()
        fingerprint = (_threshold(), _snapshot_content(snapshot), _run_key(run))
        if _cache is not None and _cache.fingerprint == fingerprint:
            return _cache.release
        release = build_partner_release(snapshot.connection, threshold=_threshold(), run=run)
        _cache = _Cached(fingerprint, release)
        return release


def forget_partner_release() -> None:
    """Drop the cached release (tests that switch databases)."""
    global _cache, _content
    with _cache_lock:
        _cache, _content = None, None


def build_partner_release(con: Any, *, threshold: int, run: EstimateRun | None) -> ProtectedRelease:
    """The release over the snapshot behind `con` and the documented persons of `run`."""
    figures, records = partner_records(con, run)
    return protect_counts(
        records,
        PARTNER_TABLES,
        measure=MEASURE,
        threshold=threshold,
        categories={"figure": figures},
    )


def partner_records(con: Any, run: EstimateRun | None) -> tuple[list[str], list[dict[str, Any]]]:
    """The release's figures and its records (one per incident and figure, and one per
    documented region of `run`): what the release protects, and what an audit checks."""
    harms = sorted({*ALWAYS_PUBLISHED_HARMS, *harm_types_recorded(con)})
    records = [*_incident_records(con, harms), *_documented_records(run)]
    figures = [INCIDENTS, *harms, *([DOCUMENTED] if run is not None else [])]
    return figures, records


def _incident_records(con: Any, harms: list[str]) -> Iterator[dict[str, Any]]:
    """One record per (live, non-discounted incident, figure): 1 for "incidents", the best
    count for each harm type. Harm records of 0 are left out: a reader who knows which
    combinations hold no one knows more, so the protection only gets a margin."""
    for unit in unit_records(con, DashboardFilter()):
        month = unit["month"]
        place = {
            "region": unit["region"],
            "cercle": unit["cercle"],
            "month": month.strftime("%Y-%m") if month else "",
            "actor": actor_value(unit["actor"]),
            "context": unit["context"],
        }
        yield {"figure": INCIDENTS, **place, MEASURE: 1}
        for harm in harms:
            if unit.get(harm, 0) > 0:
                yield {"figure": harm, **place, MEASURE: unit[harm]}


def _documented_records(run: EstimateRun | None) -> list[dict[str, Any]]:
    """One record per region stratum of `run`: its documented persons."""
    if run is None:
        return []
    keys = documented_keys(run)
    documented: dict[str, int] = {}
    for name, count in _stratum_documented(run).items():
        documented[keys[name]] = documented.get(keys[name], 0) + count
    return [
        {"figure": DOCUMENTED, "region": region, MEASURE: count}
        for region, count in sorted(documented.items())
        if count > 0
    ]


def _stratum_documented(run: EstimateRun) -> dict[str, int]:
    """Documented persons per stratum name (the same for every method of the run)."""
    return {
        str(row.key[0]) if row.key else "": int(row.documented)
        for row in run.estimates.filter(is_total=False).order_by("id")
    }


def documented_keys(run: EstimateRun) -> dict[str, str]:
    """Each region stratum of `run` -> its key in the release: the region's P-code when the
    gazetteer knows the name (and no other stratum took it), else the stratum's own name."""
    gazetteer = Gazetteer.load()
    keys: dict[str, str] = {}
    for name in sorted(_stratum_documented(run)):
        if not name or name == UNKNOWN:  # as the incidents' unrecorded region
            keys[name] = ""
            continue
        found = gazetteer.find_admin(name, 1)
        code = found[0] if found else name
        keys[name] = code if code not in keys.values() else name
    return keys


def latest_region_run() -> EstimateRun | None:
    """The latest complete estimate run stratified by region alone."""
    return _estimate_run()


def _estimate_run() -> EstimateRun | None:
    for run in EstimateRun.objects.filter(status="complete").only("id", "by", "finished_at"):
        if list(run.by) == ["region"]:
            return run
    return None


def _threshold() -> int:
    return int(settings.CIVHARM.get("SMALL_CELL_THRESHOLD", 5))


def _run_key(run: EstimateRun | None) -> tuple[Any, ...] | None:
    return None if run is None else (run.pk, run.finished_at)


_content: tuple[RegisterSnapshot, float | None, tuple[Any, ...]] | None = None


def _snapshot_content(snapshot: RegisterSnapshot) -> tuple[Any, ...]:
    """Counts and order-free hashes of the snapshot's rows: equal only when the register's
    counted content is. Computed once per refresh of the snapshot (a scan of the copy)."""
    global _content
    refreshed_at = snapshot.refreshed_at  # read first: a refresh landing later is seen next time
    if _content is not None and _content[0] is snapshot and _content[1] == refreshed_at:
        return _content[2]
    content = snapshot.connection.execute(
        "SELECT (SELECT count(*) FROM incidents), (SELECT sum(hash(i)) FROM incidents i), "
        "(SELECT count(*) FROM harm), (SELECT sum(hash(h)) FROM harm h), "
        "(SELECT count(*) FROM perpetrators), (SELECT sum(hash(p)) FROM perpetrators p)"
    ).fetchall()[0]
    _content = (snapshot, refreshed_at, tuple(content))
    return _content[2]
