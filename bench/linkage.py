"""Benchmark: link N generated victim records into persons with civharm (Splink), beside a
same-run baseline of the recordlinkage toolkit on the same records.

    .venv/bin/python bench/linkage.py                                # 10,000 and 100,000
    .venv/bin/python bench/linkage.py --sizes 1000000 --no-baseline  # 1M: civharm only
    .venv/bin/python bench/linkage.py --engine spark --sizes 100000  # Spark in local mode
    .venv/bin/python bench/linkage.py --save     # also write bench/results/linkage-DATE.json
    .venv/bin/python bench/linkage.py --sizes 10000 --repeats 5      # median of 5 runs each

For each size and method: seconds (linking only, not generating the records), peak resident
memory of the process and its children (Spark's JVM too), pairwise precision, recall and F1,
and B-cubed F1 against the generated truth. Each measurement runs in a fresh process, so one
does not inherit the other's memory. A run of a second or less varies by a tenth between runs,
so below REPEAT_BELOW records each method runs REPEATS times and the table gives the median
time and the spread (slowest minus fastest); the scores do not vary (a seed fixes them).
Generated people only: no real name is read or printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
BASELINE_MAX_RECORDS = 200_000  # recordlinkage compares pairs in Python: past this, hours
BASELINE_BUDGET_S = 1_800
# civharm-reused: scored with a model trained beforehand (not timed) on the register as it was
# a quarter of its records ago (a random 80 %), as `civharm link` does on every run after the
# first until the records grow by a quarter (see TrainedModel).
METHODS = ("civharm", "civharm-reused", "recordlinkage")
REPEATS = 3
REPEAT_BELOW = 100_000


# --- the records --------------------------------------------------------------------------


def generated_victims(size: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, frozenset[str]]:
    """(victim records, truth: record_id and cluster_id, the lists known to repeat people)."""
    from civharm.linkage.synthetic import DUPLICATE_SOURCE, victims_for_size

    victims = victims_for_size(size, seed)
    truth = victims[["record_id"]].assign(cluster_id=victims["true_person_id"].to_numpy())
    frame = victims.drop(columns=["true_person_id", "true_incident_id"])
    return frame, truth, frozenset({DUPLICATE_SOURCE} & set(frame["source"]))


# --- the two methods ------------------------------------------------------------------------


def link_with_civharm(
    frame: pd.DataFrame, engine: str, duplicated: frozenset[str], trained: Any = None
) -> pd.DataFrame:
    from civharm.linkage.pipeline import run_model
    from civharm.linkage.results import LinkageSettings
    from civharm.linkage.victims import VICTIM_MODEL

    settings = LinkageSettings(engine=engine, sources_with_duplicates=duplicated)
    return run_model(frame, VICTIM_MODEL, settings, trained=trained).clusters


def model_trained_earlier(size: int, seed: int, engine: str) -> Any:
    """The model civharm trained on this register when it had 80 % of its records (a random
    80 %): the oldest model `civharm link` reuses before it trains again."""
    from civharm.linkage.pipeline import TrainedModel, model_fingerprint, run_model
    from civharm.linkage.results import LinkageSettings
    from civharm.linkage.victims import VICTIM_MODEL

    frame, _truth, duplicated = generated_victims(size, seed)
    frame = frame.sample(frac=0.8, random_state=seed).sort_values("record_id")
    settings = LinkageSettings(engine=engine, sources_with_duplicates=duplicated)
    result = run_model(frame, VICTIM_MODEL, settings)
    assert result.model is not None
    return TrainedModel(result.model, len(frame), model_fingerprint(VICTIM_MODEL, engine))


def link_with_recordlinkage(frame: pd.DataFrame) -> pd.DataFrame:
    """The recordlinkage toolkit on the same footing as civharm: the same prepared fields
    (civharm's name normalisation, day numbers), the same blocking keys, comparable
    comparisons; a match rule, then connected components for clusters. What differs is the
    model: no probabilities, no term frequencies, no guards."""
    import recordlinkage as rl
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from civharm.linkage.victims import BLOCKING_KEYS, prepare_victim_records

    # sorted: the toolkit puts the later row of a pair first, so later row = larger id
    records = prepare_victim_records(frame).set_index("record_id").sort_index()
    indexer = rl.Index()
    for keys in BLOCKING_KEYS:  # civharm's own blocking rules
        indexer.block(list(keys))
    pairs = indexer.index(records)
    # and its WITHOUT_CERCLE rule: the same name and region, one of the two without a cercle
    region = rl.Index()
    region.block(["name_key", "admin1_pcode"])
    extra = region.index(records[records["admin2_pcode"].isna()], records)
    one, other = extra.get_level_values(0), extra.get_level_values(1)
    larger_first = [np.maximum(one, other), np.minimum(one, other)]  # as the indexer above
    ordered = pd.MultiIndex.from_arrays(larger_first, names=pairs.names)
    pairs = pairs.union(ordered[one != other].unique())
    compare = rl.Compare()
    compare.string("name_key", "name_key", method="jarowinkler", threshold=0.94, label="name")
    compare.exact("surname", "surname", label="surname")
    compare.exact("given_first", "given_first", label="given")
    compare.exact("sex", "sex", label="sex")
    compare.numeric("age", "age", method="step", offset=2, label="age")
    compare.numeric("event_day", "event_day", method="step", offset=3, label="date")
    compare.exact("admin2_pcode", "admin2_pcode", label="place")
    features = compare.compute(pairs, records.astype({"age": "float", "event_day": "float"}))
    # The toolkit's ECM classifier took "same event" for "same person" here (pairwise F1 0.04
    # at 10,000). Of the rules "the name and k of sex, age, date, place", k = 3 is the best:
    # pairwise F1 0.24, 0.55, 0.35 for k = 2, 3, 4 at 10,000 records and 0.007, 0.31, 0.34 at
    # 100,000 (seed 1; connected components chain namesakes, so it falls as lists grow).
    others = features[["sex", "age", "date", "place"]].sum(axis=1)
    matches = features.index[(features["name"] == 1) & (others >= 3)]
    position = pd.Series(np.arange(len(records)), index=records.index)
    left = position.reindex(matches.get_level_values(0)).to_numpy()
    right = position.reindex(matches.get_level_values(1)).to_numpy()
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(records),) * 2)
    _, labels = connected_components(graph, directed=False)
    clusters = pd.DataFrame({"record_id": records.index.to_numpy(), "label": labels})
    clusters["cluster_id"] = clusters.groupby("label")["record_id"].transform("min")
    return clusters[["record_id", "cluster_id"]]


# --- scores ---------------------------------------------------------------------------------


def scores(predicted: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    from civharm.linkage.metrics import bcubed, pairwise_scores

    pairwise, cubed = pairwise_scores(predicted, truth), bcubed(predicted, truth)
    return {
        **{f"pairwise_{name}": value for name, value in pairwise.as_dict().items()},
        **{f"bcubed_{name}": value for name, value in cubed.as_dict().items()},
    }


# --- one measurement, in its own process ----------------------------------------------------


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


@contextmanager
def peak_memory() -> Iterator[dict[str, int]]:
    """Samples this process tree's resident memory every 0.1 s; 'peak' is set on exit."""
    found = {"peak": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            found["peak"] = max(found["peak"], _tree_rss_bytes(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        done.set()
        sampler.join()
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        found["peak"] = max(found["peak"], own_peak)


def _import_modules(method: str) -> None:
    """Imports are not linking: load each method's libraries before the clock starts."""
    if method.startswith("civharm"):
        import civharm.linkage.engines
        import civharm.linkage.victims
    else:
        import recordlinkage  # noqa: F401
        import scipy.sparse.csgraph  # noqa: F401

        import civharm.linkage.victims  # noqa: F401 - the baseline reads the same fields


def measure(size: int, method: str, engine: str, seed: int) -> dict[str, Any]:
    _import_modules(method)
    trained = None
    if method == "civharm-reused":  # trained in a child: its memory is not this run's
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=1, mp_context=fork) as pool:
            trained = pool.submit(model_trained_earlier, size, seed, engine).result()
    frame, truth, duplicated = generated_victims(size, seed)
    with peak_memory() as memory:
        started = time.perf_counter()
        if method.startswith("civharm"):
            clusters = link_with_civharm(frame, engine, duplicated, trained)
        else:
            clusters = link_with_recordlinkage(frame)
        seconds = time.perf_counter() - started
    return {
        "size": size,
        "method": method,
        "engine": engine if method.startswith("civharm") else "pandas",
        "records": len(frame),
        "seconds": round(seconds, 3),
        "peak_memory_mb": round(memory["peak"] / 2**20),
        "persons_true": int(truth["cluster_id"].nunique()),
        "persons_found": int(clusters["cluster_id"].nunique()),
        **{name: round(value, 4) for name, value in scores(clusters, truth).items()},
    }


def run_in_child(size: int, method: str, engine: str, seed: int, budget: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--measure", f"{size},{method},{engine},{seed}"]
    # the child's scratch folders go in here, removed even if the child is killed at the budget
    with tempfile.TemporaryDirectory(prefix="civharm-bench-") as scratch:
        env = {**os.environ, "TMPDIR": scratch}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=budget, check=False, env=env
            )
        except subprocess.TimeoutExpired:
            return {"size": size, "method": method, "skipped": f"over the {budget:.0f} s budget"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        return {"size": size, "method": method, "skipped": f"failed: {tail[0]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(size: int, method: str, args: argparse.Namespace, repeats: int) -> dict[str, Any]:
    """The median run of `repeats` (by seconds), with the spread and the highest peak memory."""
    runs = [run_in_child(size, method, args.engine, args.seed, args.budget) for _ in range(repeats)]
    done = sorted((run for run in runs if "skipped" not in run), key=lambda run: run["seconds"])
    if len(done) < len(runs):
        return next(run for run in runs if "skipped" in run)
    row = dict(done[(len(done) - 1) // 2])
    row["runs"] = len(done)
    row["spread"] = round(done[-1]["seconds"] - done[0]["seconds"], 3)
    row["all_seconds"] = [run["seconds"] for run in runs]
    row["peak_memory_mb"] = max(run["peak_memory_mb"] for run in done)
    return row


def comparison_text(size: int, rows: list[dict[str, Any]]) -> str:
    """civharm's time against the baseline's at one size, as the target reads."""
    times = {row["method"]: row["seconds"] for row in rows if "skipped" not in row}
    base = times.get("recordlinkage")
    if base is None:
        return f"{size:>9,} no baseline at this size"
    parts = [
        f"{method} {times[method] / base:.2f}× the baseline's time"
        for method in METHODS[:2]
        if method in times
    ]
    return f"{size:>9,} " + "; ".join(parts)


# --- the table ------------------------------------------------------------------------------

HEADER = (
    f"{'records':>9} {'method':<14} {'engine':<7} {'seconds':>8} {'spread':>6} {'peak MB':>8} "
    f"{'pair P':>7} {'pair R':>7} {'pair F1':>7} {'B3 F1':>7} {'persons':>17}"
)


def row_text(row: dict[str, Any]) -> str:
    if "skipped" in row:
        return f"{row['size']:>9,} {row['method']:<14} skipped: {row['skipped']}"
    persons = f"{row['persons_found']:,}/{row['persons_true']:,}"
    spread = f"{row['spread']:.2f}" if row.get("runs", 1) > 1 else "-"
    return (
        f"{row['records']:>9,} {row['method']:<14} {row['engine']:<7} {row['seconds']:>8.2f} "
        f"{spread:>6} "
        f"{row['peak_memory_mb']:>8,} {row['pairwise_precision']:>7.4f} "
        f"{row['pairwise_recall']:>7.4f} {row['pairwise_f1']:>7.4f} {row['bcubed_f1']:>7.4f} "
        f"{persons:>17}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated record counts")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--baseline-max-records", type=int, default=BASELINE_MAX_RECORDS)
    parser.add_argument("--budget", type=float, default=BASELINE_BUDGET_S, help="s per run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeats", type=int, help=f"runs per method (default {REPEATS} below {REPEAT_BELOW:,})"
    )
    parser.add_argument("--save", action="store_true", help="write bench/results/…json")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one measurement (child process)
    args = parser.parse_args()
    if args.measure:
        size, method, engine, seed = args.measure.split(",")
        print(json.dumps(measure(int(size), method, engine, int(seed))))
        return 0
    rows = []
    print(f"cores: {len(os.sched_getaffinity(0))}, engine for civharm: {args.engine}")
    print(HEADER)
    for size in (int(text) for text in args.sizes.split(",")):
        for method in METHODS if args.baseline else METHODS[:2]:
            if method == "recordlinkage" and size > args.baseline_max_records:
                row = {"size": size, "method": method, "skipped": "above --baseline-max-records"}
            else:
                repeats = args.repeats or (REPEATS if size < REPEAT_BELOW else 1)
                row = repeated(size, method, args, repeats)
            rows.append(row)
            print(row_text(row), flush=True)
        print(comparison_text(size, [row for row in rows if row["size"] == size]), flush=True)
    if args.save:
        path = HERE / "results" / f"linkage-{dt.date.today():%Y-%m-%d}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"engine": args.engine, "rows": rows}, indent=1) + "\n")
        print(f"written: {path.relative_to(HERE.parent)}")
    civharm_rows = [row for row in rows if row["method"].startswith("civharm")]
    return 0 if all("skipped" not in row for row in civharm_rows) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.exit(main())
