"""Benchmark: the dashboard's aggregate queries over N generated incidents on the DuckDB
snapshot, beside a same-run baseline of the same aggregates through the Django ORM on SQLite.

    .venv/bin/python bench/analysis.py                       # 1,000,000 incidents
    .venv/bin/python bench/analysis.py --incidents 100000 --calls 100 --baseline-calls 5

Writes a migrated SQLite register in a temporary folder (plain sqlite3 bulk inserts into the
Django tables: incidents with harm counts and alleged perpetrators over Mali's cercles,
2019-2024), builds the snapshot through civharm.analysis.snapshot, then times dashboard()
calls with random filters on both engines (each call: the seven tables of the page) and
checks that both give the same figures. Targets: p95 < 200 ms and >= 10x the baseline.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

TARGET_P95_MS = 200.0
TARGET_RATIO = 10.0
SEED = 6
CHUNK = 100_000
PACK = Path(__file__).resolve().parents[1] / "src" / "civharm" / "country_packs" / "mali"
# Share of incidents per region (admin1 P-code): the centre and north carry most of the harm.
REGION_WEIGHTS = {
    "ML05": 0.30, "ML04": 0.14, "ML07": 0.10, "ML06": 0.10, "ML10": 0.08, "ML02": 0.06,
    "ML03": 0.05, "ML08": 0.04, "ML01": 0.04, "ML09": 0.02, "ML11": 0.02,
}  # fmt: skip
YEAR_WEIGHTS = {2019: 0.10, 2020: 0.13, 2021: 0.15, 2022: 0.22, 2023: 0.22, 2024: 0.18}
CONTEXTS = {
    "attack_on_village": 0.18, "ground_operation": 0.12, "ied_landmine": 0.12,
    "arrest_detention": 0.07, "checkpoint": 0.06, "search_cordon": 0.05, "patrol": 0.05,
    "air_drone_strike": 0.06, "ambush": 0.06, "abduction": 0.06, "looting_extortion": 0.04,
    "shelling": 0.02, "market_attack": 0.02, "clash_crossfire": 0.04, "other": 0.02,
    "unknown": 0.03,
}  # fmt: skip
GRADES = {"confirmed": 0.3, "fair": 0.3, "weak": 0.2, "contested": 0.05, "discounted": 0.05,
          "": 0.1}  # fmt: skip
STATUSES = {"new": 0.3, "in_review": 0.2, "reviewed": 0.2, "approved": 0.3}
ACTORS = {
    "fama": 0.20, "jnim": 0.20, "is_sahel": 0.10, "africa_corps_wagner": 0.10,
    "dozo_militia": 0.06, "dan_na_ambassagou": 0.05, "unknown": 0.07, "gendarmerie": 0.03,
    "national_guard": 0.02, "veo_unidentified": 0.05, "unidentified_armed_group": 0.04,
    "csp_signatory": 0.03, "criminals": 0.02, "community_militia_other": 0.01,
    "minusma": 0.005, "barkhane": 0.01, "g5_sahel": 0.005,
}  # fmt: skip
HARM_SHARES = {  # share of incidents with a count of that harm type
    "killed": 0.70, "injured": 0.35, "abducted": 0.10, "property_destroyed": 0.10,
    "displaced_households": 0.05, "arbitrary_detention": 0.05, "livestock_crops_lost": 0.05,
    "sexual_violence": 0.02,
}  # fmt: skip
RECORDED_FROM = datetime(2019, 1, 1)
MERGED_SHARE = 0.03  # incidents that linkage merged into another (they count no more)


def _weighted(rng: np.random.Generator, weights: dict[Any, float], size: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _cercles() -> dict[str, list[tuple[str, str, str]]]:
    """admin1 P-code -> [(admin2 P-code, admin2 name, admin1 name)] from the country pack."""
    by_region: dict[str, list[tuple[str, str, str]]] = {}
    with open(PACK / "admin2.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_region.setdefault(row["admin1_pcode"], []).append(
                (row["pcode"], row["name"], row["admin1_name"])
            )
    return by_region


def _region_names() -> dict[str, str]:
    with open(PACK / "admin1.csv", encoding="utf-8") as handle:
        return {row["pcode"]: row["name"] for row in csv.DictReader(handle)}


def _places(rng: np.random.Generator, n: int) -> list[tuple[str, str, str, str]]:
    cercles, region_names = _cercles(), _region_names()
    regions = _weighted(rng, REGION_WEIGHTS, n)
    picks = rng.random(n)
    places = []
    for region, pick in zip(regions, picks, strict=True):
        options = cercles.get(region)
        if not options or pick < 0.05:  # known to the region only
            places.append((region, region_names[region], "", ""))
            continue
        code, name, region_name = options[int(pick * len(options))]
        places.append((region, region_name, code, name))
    return places


def _dates(rng: np.random.Generator, n: int) -> list[str | None]:
    years = _weighted(rng, YEAR_WEIGHTS, n)
    days = rng.integers(0, 365, n)
    unknown = rng.random(n) < 0.02
    return [
        None if missing else (date(int(y), 1, 1) + timedelta(days=int(d))).isoformat()
        for y, d, missing in zip(years, days, unknown, strict=True)
    ]


def _incident_rows(rng: np.random.Generator, n: int) -> Iterator[tuple[Any, ...]]:
    places, dates = _places(rng, n), _dates(rng, n)
    contexts = _weighted(rng, CONTEXTS, n)
    grades, statuses = _weighted(rng, GRADES, n), _weighted(rng, STATUSES, n)
    # Recorded and last edited over the years, in id order, as a register grows.
    seconds = np.sort(rng.integers(0, 6 * 365 * 86400, n))
    for i in range(n):
        region, region_name, cercle, cercle_name = places[i]
        place = (region, region_name, cercle, cercle_name, "", "", "", "admin2", False)
        day = (dates[i], dates[i], "day")
        stamp = (
            f"{RECORDED_FROM + timedelta(seconds=int(seconds[i])):%Y-%m-%d %H:%M:%S}.{i % 1000:06d}"
        )
        yield (i + 1, "", *place, *day, contexts[i], "", grades[i], statuses[i], stamp, stamp)


INCIDENT_INSERT = (
    "INSERT INTO incidents_incident (id, place_name, admin1_pcode, admin1_name, admin2_pcode, "
    "admin2_name, admin3_pcode, admin3_name, locality_id, geo_precision, outside_country, "
    "date_start, date_end, date_precision, interaction_context, description, assessment_grade, "
    "review_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?, ?)"
)


def _harm_rows(rng: np.random.Generator, n: int, live: np.ndarray) -> Iterator[tuple[Any, ...]]:
    for harm_type, share in HARM_SHARES.items():
        has = np.flatnonzero((rng.random(n) < share) & live)
        best = np.maximum(1, rng.lognormal(1.0, 1.0, has.size).astype(int))
        low = np.maximum(0, best - rng.integers(0, 3, has.size))
        high = best + rng.integers(0, 5, has.size)
        unknown_bounds = rng.random(has.size) < 0.3
        for i, lo, b, hi, bare in zip(has, low, best, high, unknown_bounds, strict=True):
            yield (
                int(i) + 1,
                harm_type,
                None if bare else int(lo),
                int(b),
                None if bare else int(hi),
            )


def _perpetrator_rows(
    rng: np.random.Generator, n: int, live: np.ndarray, actor_ids: dict[str, int]
) -> Iterator[tuple[Any, ...]]:
    how_many = rng.choice(3, size=n, p=[0.10, 0.75, 0.15])
    first, second = _weighted(rng, ACTORS, n), _weighted(rng, ACTORS, n)
    for i in np.flatnonzero(live & (how_many > 0)):
        yield (int(i) + 1, actor_ids[first[i]], "alleged")
        if how_many[i] == 2 and second[i] != first[i]:
            yield (int(i) + 1, actor_ids[second[i]], "alleged")


def _in_chunks(database: sqlite3.Connection, sql: str, rows: Iterator[tuple[Any, ...]]) -> int:
    written, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            database.executemany(sql, batch)
            written, batch = written + len(batch), []
    database.executemany(sql, batch)
    return written + len(batch)


def generate_register(path: Path, n: int) -> dict[str, int]:
    """N incidents (a share merged into others) with counts and perpetrators, in `path`."""
    rng = np.random.default_rng(SEED)
    database = sqlite3.connect(path)
    database.execute("PRAGMA synchronous=OFF")
    database.execute("PRAGMA cache_size=-262144")
    actor_ids = dict(database.execute("SELECT key, id FROM incidents_actor"))
    live = rng.random(n) >= MERGED_SHARE
    live[0] = True
    with database:
        written = {"incidents": _in_chunks(database, INCIDENT_INSERT, _incident_rows(rng, n))}
        merged = np.flatnonzero(~live) + 1
        targets = [int(rng.integers(1, m)) for m in merged]  # an earlier incident took them
        database.executemany(
            "UPDATE incidents_incident SET merged_into_id = ? WHERE id = ?",
            [(t if live[t - 1] else 1, int(m)) for t, m in zip(targets, merged, strict=True)],
        )
        written["harm counts"] = _in_chunks(
            database,
            "INSERT INTO incidents_harmcount (incident_id, harm_type, low, best, high) "
            "VALUES (?, ?, ?, ?, ?)",
            _harm_rows(rng, n, live),
        )
        written["perpetrators"] = _in_chunks(
            database,
            "INSERT INTO incidents_incidentperpetrator (incident_id, actor_id, attribution_status)"
            " VALUES (?, ?, ?)",
            _perpetrator_rows(rng, n, live, actor_ids),
        )
    database.execute("ANALYZE")
    database.close()
    written["merged"] = int((~live).sum())
    return written


# -- the same aggregates through the Django ORM (the baseline) --------------------------------


def orm_dashboard(wanted: Any, harm_type: str) -> dict[str, dict[Any, tuple[int, ...]]]:
    """dashboard()'s tables through the ORM on the register: {table: {key: measures}}."""
    from django.db.models import Count, F, FilteredRelation, Q, Sum
    from django.db.models.functions import TruncMonth

    from civharm.incidents.models import HarmCount

    measured = orm_incidents(wanted).annotate(
        m=FilteredRelation("harm_counts", condition=Q(harm_counts__harm_type=harm_type))
    )
    sums = {"incidents": Count("id", distinct=True), "low": Sum("m__low"), "best": Sum("m__best"),
            "high": Sum("m__high")}  # fmt: skip
    dimensions = {
        "by_month": TruncMonth("date_start"), "by_region": F("admin1_pcode"),
        "by_cercle": F("admin2_pcode"), "by_actor": F("incidentperpetrator__actor__key"),
        "by_context": F("interaction_context"),
    }  # fmt: skip
    tables = {
        name: {row["key"] or None: _measures(row) for row in
               measured.order_by().values(key=expression).annotate(**sums)}
        for name, expression in dimensions.items()
    }  # fmt: skip
    tables["totals"] = {None: _measures(measured.aggregate(**sums))}
    harm = HarmCount.objects.filter(incident__in=orm_incidents(wanted)).values("harm_type")
    by_harm = harm.annotate(incidents=Count("id"), low=Sum("low"), best=Sum("best"),
                            high=Sum("high"))  # fmt: skip
    tables["by_harm_type"] = {row["harm_type"]: _measures(row) for row in by_harm}
    bare = orm_incidents(wanted).filter(harm_counts=None).count()
    if bare:
        tables["by_harm_type"][None] = (bare, 0, 0, 0)
    return tables


def orm_incidents(wanted: Any) -> Any:
    from django.db.models import Q

    from civharm.incidents.models import HarmCount, Incident, IncidentPerpetrator

    query = Q(merged_into=None)
    if wanted.date_from:
        query &= Q(date_start__gte=wanted.date_from)
    if wanted.date_to:
        query &= Q(date_start__lte=wanted.date_to)
    exact = {"admin1_pcode": wanted.region, "admin2_pcode": wanted.cercle,
             "interaction_context": wanted.context, "assessment_grade": wanted.grade}  # fmt: skip
    query &= Q(**{name: value for name, value in exact.items() if value})
    for lookup, value in (("actor__key", wanted.actor), ("actor__category", wanted.actor_category)):
        if value:
            perpetrated = IncidentPerpetrator.objects.filter(**{lookup: value})
            query &= Q(id__in=perpetrated.values("incident_id"))
    if wanted.harm_type:
        query &= Q(id__in=HarmCount.objects.filter(harm_type=wanted.harm_type).values("incident"))
    incidents = Incident.objects.filter(query)
    if wanted.include_discounted:
        return incidents
    return incidents.exclude(assessment_grade="discounted")


def _measures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(row[m] or 0) for m in ("incidents", "low", "best", "high"))


DUCK_KEYS = {"by_month": "month", "by_region": "region", "by_cercle": "cercle",
             "by_context": "context", "by_actor": "actor", "by_harm_type": "harm_type"}  # fmt: skip


def duck_tables(result: dict[str, list[dict[str, Any]]]) -> dict[str, dict[Any, tuple[int, ...]]]:
    return {
        name: {
            (row[DUCK_KEYS[name]] if name in DUCK_KEYS else None): _measures(row) for row in rows
        }
        for name, rows in result.items()
    }


# -- the run -------------------------------------------------------------------------------------


def random_filters(count: int) -> list[tuple[Any, str]]:
    """Filters a reader would choose: periods, a region or cercle, an actor, a context…"""
    from civharm.analysis.dashboard import DashboardFilter

    rng = random.Random(SEED)
    cercles = _cercles()
    chosen = []
    for _ in range(count):
        start = date(rng.randint(2019, 2024), rng.randint(1, 12), 1)
        region = rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0]
        wanted = DashboardFilter(
            date_from=start if rng.random() < 0.5 else None,
            date_to=start + timedelta(days=rng.randint(30, 730)) if rng.random() < 0.5 else None,
            region=region if rng.random() < 0.4 else None,
            cercle=rng.choice(cercles.get(region, [("",)]))[0] or None
            if rng.random() < 0.15
            else None,
            actor=rng.choice(list(ACTORS)[:6]) if rng.random() < 0.15 else None,
            actor_category=rng.choice(["state_forces", "veo"]) if rng.random() < 0.2 else None,
            harm_type=rng.choice(["killed", "injured"]) if rng.random() < 0.15 else None,
            context=rng.choice(list(CONTEXTS)) if rng.random() < 0.15 else None,
            grade=rng.choice(["confirmed", "fair"]) if rng.random() < 0.1 else None,
            include_discounted=rng.random() < 0.2,
        )
        chosen.append((wanted, "killed" if rng.random() < 0.8 else "injured"))
    return chosen


def timed(function: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def setup_django(folder: Path) -> None:
    os.environ["CIVHARM_DATA"] = str(folder)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
    import django

    django.setup()
    from civharm.incidents.services.database import ensure_database

    ensure_database()


def build_snapshot() -> tuple[Any, dict[str, float]]:
    """The snapshot, with its build time and the times of a quiet and of a busy refresh."""
    from django.db import connection
    from django.utils import timezone

    from civharm.analysis.snapshot import RegisterSnapshot

    snapshot = RegisterSnapshot()
    built = snapshot.refresh()
    quiet = snapshot.refresh()
    with connection.cursor() as cursor:  # 1,000 edits and 1,000 counts replaced by linkage
        cursor.execute(
            "UPDATE incidents_incident SET assessment_grade = 'weak', updated_at = %s "
            "WHERE id IN (SELECT id FROM incidents_incident WHERE merged_into_id IS NULL "
            "ORDER BY id DESC LIMIT 1000 OFFSET 5000)",
            [connection.ops.adapt_datetimefield_value(timezone.now())],
        )
        cursor.execute(
            "DELETE FROM incidents_harmcount WHERE id IN (SELECT id FROM incidents_harmcount "
            "WHERE id % 997 = 0 LIMIT 1000)"
        )
    busy = snapshot.refresh()
    assert not busy.full, "the refresh after a few edits should not read everything again"
    times = {"build": built.seconds, "quiet refresh": quiet.seconds, "refresh after 2,000 "
             f"changes ({busy.changed:,} incidents changed)": busy.seconds}  # fmt: skip
    return snapshot, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200, help="dashboard() calls on DuckDB")
    parser.add_argument("--baseline-calls", type=int, default=10, help="calls through the ORM")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civharm-bench-") as tmp:
        folder = Path(tmp)
        setup_django(folder)
        started = time.perf_counter()
        written = generate_register(folder / "civharm.sqlite3", args.incidents)
        generated_s = time.perf_counter() - started
        snapshot, refresh_times = build_snapshot()
        from civharm.analysis.dashboard import dashboard

        filters = random_filters(max(args.calls, args.baseline_calls))
        con = snapshot.connection
        dashboard(con, filters[0][0])  # warm-up: first-query planning
        duck = [timed(dashboard, con, w, harm_type=h) for w, h in filters[: args.calls]]
        orm = [timed(orm_dashboard, w, h) for w, h in filters[: args.baseline_calls]]
        mismatches = sum(
            duck_tables(d[0]) != o[0] for d, o in zip(duck, orm, strict=False)
        )  # both engines must give the same figures
    return report(args, written, generated_s, refresh_times, duck, orm, mismatches)


def report(
    args: Any,
    written: dict[str, int],
    generated_s: float,
    refresh_times: dict[str, float],
    duck: list[tuple[Any, float]],
    orm: list[tuple[Any, float]],
    mismatches: int,
) -> int:
    duck_ms, orm_ms = [t for _, t in duck], [t for _, t in orm]
    same = duck_ms[: len(orm_ms)]
    ratio_p50 = statistics.median(orm_ms) / statistics.median(same)
    ratio_p95 = percentile(orm_ms, 0.95) / percentile(same, 0.95)
    print("register:  " + ", ".join(f"{v:,} {k}" for k, v in written.items()))
    print(f"  generated in {generated_s:,.1f} s (sqlite3 bulk inserts)")
    for name, seconds in refresh_times.items():
        print(f"snapshot {name}: {seconds:,.2f} s")
    print(f"dashboard() calls (7 tables each), random filters: {len(duck_ms)} on DuckDB, "
          f"{len(orm_ms)} through the ORM (the same first {len(orm_ms)} filters)")  # fmt: skip
    print(
        f"  DuckDB snapshot:      p50 {statistics.median(duck_ms):8.1f} ms   "
        f"p95 {percentile(duck_ms, 0.95):8.1f} ms   (target p95 < {TARGET_P95_MS:.0f} ms)"
    )
    print(
        f"    on the baseline's filters: p50 {statistics.median(same):8.1f} ms   "
        f"p95 {percentile(same, 0.95):8.1f} ms"
    )
    print(
        f"  baseline Django ORM:  p50 {statistics.median(orm_ms):8.1f} ms   "
        f"p95 {percentile(orm_ms, 0.95):8.1f} ms"
    )
    print(
        f"  ratio (ORM / DuckDB, same filters): p50 {ratio_p50:,.0f}x, p95 {ratio_p95:,.0f}x "
        f"(target >= {TARGET_RATIO:.0f}x)"
    )
    print(f"  figures that differ between the engines: {mismatches} of {len(orm_ms)} calls")
    ok = (
        percentile(duck_ms, 0.95) < TARGET_P95_MS
        and min(ratio_p50, ratio_p95) >= TARGET_RATIO
        and mismatches == 0
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
