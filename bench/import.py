"""Benchmark: import N UCDP-GED-shaped rows through `civharm import`'s service, beside a
same-run baseline of plain `sqlite3.executemany` of the same rows into an equivalent table.

    .venv/bin/python bench/import.py                 # 100,000 rows (the target: >= 0.25x)
    .venv/bin/python bench/import.py --rows 1000000  # memory target: peak RSS < 500 MB

Prints rows/s for both, their ratio and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 0.25
DEFAULT_BATCH = "5000"  # civharm's default IMPORT_BATCH_SIZE (settings.py)
MEMORY_LIMIT_MB = 500
RUSAGE_CHILDREN = resource.RUSAGE_CHILDREN  # the import's reading process, once it has ended


def baseline(path: Path, folder: Path) -> float:
    """Rows/s of the plainest possible load: csv.reader -> executemany, same pragmas, batches."""
    database = sqlite3.connect(folder / "baseline.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=FULL")
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = ", ".join(f'"{name}" TEXT' for name in header)
        database.execute(f"CREATE TABLE ged (rowid INTEGER PRIMARY KEY, {columns})")
        marks = ", ".join("?" for _ in header)
        insert = f"INSERT INTO ged ({', '.join(map(repr, header))}) VALUES ({marks})"  # noqa: S608
        rows = 0
        size = int(os.environ.get("CIVHARM_IMPORT_BATCH_SIZE", DEFAULT_BATCH))  # same as civharm's
        while batch := [row for _, row in zip(range(size), reader, strict=False)]:
            with database:
                database.executemany(insert, batch)
            rows += len(batch)
    elapsed = time.perf_counter() - started
    database.close()
    return rows / elapsed


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def civharm_import(path: Path, folder: Path) -> tuple[float, int, float, float]:
    """(rows/s, rows imported, CPU µs a row of the writing process, of the reading process)."""
    os.environ["CIVHARM_DATA"] = str(folder / "civharm")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civharm.settings")
    import django

    django.setup()
    from civharm.incidents.services.database import ensure_database
    from civharm.incidents.services.importing import import_file

    ensure_database()
    cpu_writer, cpu_reader = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(RUSAGE_CHILDREN)
    started = time.perf_counter()
    outcome = import_file(path, "ucdp", actor="bench")
    elapsed = time.perf_counter() - started
    rows = max(outcome.imported, 1)
    writer_us = (_cpu_seconds(resource.RUSAGE_SELF) - cpu_writer) / rows * 1e6
    reader_us = (_cpu_seconds(RUSAGE_CHILDREN) - cpu_reader) / rows * 1e6
    return outcome.imported / elapsed, outcome.imported, writer_us, reader_us


def reading_only(path: Path) -> tuple[float, float]:
    """(rows/s, CPU µs a row) of the reading side alone (read, validate, geocode, build row
    tuples), in this process, without writing, under the reading child's garbage-collection
    rules: the ceiling of the import's speed on this machine."""
    from civharm.core.gazetteer import Gazetteer
    from civharm.incidents.models import ImportRun
    from civharm.incidents.services.importing import (
        prepare_batches,
        register_record_ids,
        resolve_source,
    )
    from civharm.ingest.background import collect_between_items
    from civharm.ingest.pipeline import read_source

    source = resolve_source("ucdp", path, "bench reading", None)
    run = ImportRun.objects.create(
        source=source, source_format="ucdp", file_name=path.name, file_sha256="", started_by="bench"
    )
    items = register_record_ids(read_source("ucdp", path, gazetteer=Gazetteer.load()))
    gc.freeze()  # as the reading child does with what it inherits
    try:
        started, cpu = time.perf_counter(), time.process_time()
        batches = collect_between_items(prepare_batches(items, run, 5000))
        rows = sum(batch.rows_read for batch in batches)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        gc.unfreeze()
    return rows / elapsed, cpu / max(rows, 1) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from civharm.demo import write_ucdp_rows

    with tempfile.TemporaryDirectory(prefix="civharm-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "ged.csv"
        write_ucdp_rows(path, args.rows, seed=1)
        base = baseline(path, folder)
        ours, imported, writer_us, reader_us = civharm_import(path, folder)
        # Peaks of the import alone: taken before reading_only, which holds a file's record
        # ids in this process too. The import reads in a forked child process: count its
        # peak too (shared pages twice).
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(RUSAGE_CHILDREN).ru_maxrss / 1024
        reader, reader_cpu_us = reading_only(path)
    ratio = ours / base
    print(f"rows:                      {args.rows:,} (imported {imported:,})")
    print(f"baseline sqlite3.executemany: {base:>10,.0f} rows/s")
    print(f"civharm import (validation, geocoding, register rows): {ours:>10,.0f} rows/s")
    print(f"ratio:                     {ratio:.3f} (target >= {TARGET_RATIO})")
    print(f"  CPU a row:               writing {writer_us:.1f} µs, reading {reader_us:.1f} µs")
    print(
        f"reading side alone:        {reader:>10,.0f} rows/s, {reader_cpu_us:.1f} µs CPU a row "
        "(the import's ceiling here)"
    )
    print(f"peak resident memory:      {peak_mb:,.0f} MB (target < {MEMORY_LIMIT_MB} MB)")
    print(f"  + reading process:       {child_mb:,.0f} MB (together {peak_mb + child_mb:,.0f} MB)")
    memory_ok = peak_mb + child_mb < MEMORY_LIMIT_MB
    ok = ratio >= TARGET_RATIO and memory_ok and imported == args.rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
