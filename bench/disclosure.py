"""Benchmark: protecting one release of 6 tables (month, region, cercle, alleged actor — several
per incident —, interaction context, grand total) over 5,000 generated incidents, beside a
same-run baseline: the same six tables counted with collections.Counter and no protection.

    .venv/bin/python bench/disclosure.py                    # 5,000 records, 5 seeds
    .venv/bin/python bench/disclosure.py --records 20000 --seeds 3 --threshold 10

Prints, per seed, the time of protect_counts (primary + secondary suppression, exact checks
included), the number of withheld cells, and the time of assert_release_is_safe (the
independent re-check of the criterion). Generated incidents only: no person, no name.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from civharm.disclosure import TableSpec, assert_release_is_safe, protect_counts

TABLES = (
    TableSpec("totals", ()),
    TableSpec("by_month", ("month",)),
    TableSpec("by_region", ("region",)),
    TableSpec("by_cercle", ("cercle",)),
    TableSpec("by_actor", ("actor",)),
    TableSpec("by_context", ("context",)),
)
CONTEXTS = ("checkpoint", "search", "arrest", "patrol", "ground", "air", "ied", "village", "other")
ACTORS = ("fama", "gendarmerie", "africa_corps", "jnim", "is_sahel", "dna", "csp", "militia")


def generated_incidents(count: int, seed: int) -> list[dict[str, object]]:
    """Skewed like the register: a few busy regions and actors, a long tail of quiet cercles."""
    rng = np.random.default_rng(seed)
    regions = [f"ML{number:02d}" for number in range(1, 11)]
    cercles = [(region, f"{region}{c:02d}") for region in regions for c in range(1, 6)]
    cercle_weight = rng.pareto(1.2, len(cercles)) + 0.05
    actor_weight = np.array([30, 5, 8, 25, 12, 6, 3, 1.0])
    context_weight = rng.pareto(1.5, len(CONTEXTS)) + 0.2
    records = []
    for _ in range(count):
        region, cercle = cercles[rng.choice(len(cercles), p=cercle_weight / cercle_weight.sum())]
        several = rng.choice(
            len(ACTORS),
            size=rng.choice([1, 1, 1, 2]),
            replace=False,
            p=actor_weight / actor_weight.sum(),
        )
        records.append({
            "month": f"{2020 + rng.integers(0, 3)}-{rng.integers(1, 13):02d}",
            "region": region,
            "cercle": cercle,
            "actor": tuple(ACTORS[i] for i in several),
            "context": CONTEXTS[rng.choice(len(CONTEXTS), p=context_weight / context_weight.sum())],
        })  # fmt: skip
    return records


def counted_without_protection(records: list[dict[str, object]]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for table in TABLES:
        counter: Counter = Counter()
        for record in records:
            if not table.dimensions:
                counter[()] += 1
                continue
            value = record[table.dimensions[0]]
            for member in value if isinstance(value, tuple) else (value,):
                counter[(member,)] += 1
        out[table.name] = counter
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--threshold", type=int, default=5)
    arguments = parser.parse_args()
    protect_times, baseline_times = [], []
    for seed in range(arguments.seeds):
        records = generated_incidents(arguments.records, seed)
        started = time.perf_counter()
        counted_without_protection(records)
        baseline_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        release = protect_counts(records, TABLES, threshold=arguments.threshold)
        protect_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert_release_is_safe(records, release)
        audit = time.perf_counter() - started
        cells = sum(len(table.cells) for table in release.tables.values())
        primary = sum(c.status == "primary" for t in release.tables.values() for c in t.cells)
        print(
            f"seed {seed}: protect_counts {protect_times[-1] * 1000:7.1f} ms | {cells} cells, "
            f"{primary} small, {release.suppressed_count - primary} complements | "
            f"assert_release_is_safe {audit * 1000:7.1f} ms | "
            f"baseline Counter {baseline_times[-1] * 1000:5.1f} ms"
        )
    print(
        f"records {arguments.records}, k = {arguments.threshold}: protect_counts median "
        f"{statistics.median(protect_times) * 1000:.1f} ms, "
        f"max {max(protect_times) * 1000:.1f} ms; "
        f"baseline (unprotected Counter) median {statistics.median(baseline_times) * 1000:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
