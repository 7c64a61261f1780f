"""Where the victim model's errors are: missed and wrong pairs on generated lists, by cause.

    .venv/bin/python bench/linkage_errors.py 10000 1      # records, seed; -v lists examples

Trains and scores as civharm.linkage.pipeline does, then sorts every missed pair by where it
was lost (never compared, scored below the thresholds, refused by a cluster guard) and by the
fields that differ, and every wrong pair by whether any field tells the two people apart.
Generated people only: no real name is read or printed. Behind docs/performance.md's error
analysis of the generated lists.
"""

from __future__ import annotations

import itertools
import logging
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
from splink import Linker  # noqa: E402

from civharm.linkage import pipeline  # noqa: E402
from civharm.linkage.engines import close_engine, open_engine  # noqa: E402
from civharm.linkage.metrics import bcubed, pairwise_scores  # noqa: E402
from civharm.linkage.results import LinkageSettings  # noqa: E402
from civharm.linkage.victims import VICTIM_MODEL  # noqa: E402
from linkage import generated_victims  # noqa: E402

NUMBERS = [int(a) for a in sys.argv[1:] if a.isdigit()]
SIZE = NUMBERS[0] if NUMBERS else 10_000
SEED = NUMBERS[1] if len(NUMBERS) > 1 else 1
VERBOSE = "-v" in sys.argv

frame, truth, duplicated = generated_victims(SIZE, SEED)
full = frame.merge(truth.rename(columns={"cluster_id": "person"}), on="record_id")
settings = LinkageSettings(sources_with_duplicates=duplicated)
model = VICTIM_MODEL
prepared = model.prepare(frame)
api = open_engine("duckdb")
table = api.register(prepared)
# trained as a run trains (pipeline._train); every pair scored, not only those above review
trained = pipeline._train(table, model, prepared, lambda _step: None)
linker = Linker(table, trained, log_level=logging.ERROR, validate_settings=False)
pred = linker.inference.predict(threshold_match_probability=None)
allpairs = pipeline._ordered_pairs(
    linker.misc.query_sql(
        f"SELECT record_id_l, record_id_r, match_probability FROM {pred.physical_name}",  # noqa: S608 - Splink's table
        output_type="pandas",
    )
)
close_engine(api)
scored = allpairs[allpairs.match_probability >= settings.review_threshold]
records = prepared[["record_id", "source", *model.rules.columns()]]
result = pipeline.assemble_result(records, scored, None, model, settings)
clusters = result.clusters
pw, b3 = pairwise_scores(clusters, truth), bcubed(clusters, truth)
print(
    f"records {len(frame)} pairwise P {pw.precision:.4f} R {pw.recall:.4f} F1 {pw.f1:.4f}"
    f"  B3 F1 {b3.f1:.4f}  candidate pairs {len(allpairs)}"
)

P = prepared.set_index("record_id")
R = full.set_index("record_id")
cl_of = clusters.set_index("record_id")["cluster_id"]
person = R["person"]
score = {(a, b): p for a, b, p in allpairs.itertuples(index=False)}


def pairs_of(groups: pd.Series) -> set[tuple[int, int]]:
    out = set()
    for _, ids in groups.groupby(groups).groups.items():
        ids = sorted(int(i) for i in ids)
        if len(ids) >= 200:  # only the pairs are left out, not the cluster: say so
            print(f"note: a cluster of {len(ids)} records is left out of the pair lists below")
        elif len(ids) > 1:
            out.update(itertools.combinations(ids, 2))
    return out


true_pairs = pairs_of(person)
pred_pairs = pairs_of(cl_of)
fn, fp = true_pairs - pred_pairs, pred_pairs - true_pairs
print(f"true pairs {len(true_pairs)}, predicted {len(pred_pairs)}, FN {len(fn)}, FP {len(fp)}")


def eq(a, b) -> bool | None:
    if pd.isna(a) or pd.isna(b):
        return None
    return a == b


def field_diffs(a: int, b: int) -> list[str]:
    """What differs between two records, as the model sees it."""
    pa, pb, _ra, _rb = P.loc[a], P.loc[b], R.loc[a], R.loc[b]
    out = []
    if pa["name_key"] is None or pb["name_key"] is None:
        out.append("name:missing")
    elif pa["name_key"] != pb["name_key"]:
        ta, tb = set(pa["name_key"].split()), set(pb["name_key"].split())
        if ta < tb or tb < ta:
            out.append("name:extra_word(middle/nick)")
        elif pa["surname"] == pb["given_first"] and pb["surname"] == pa["given_first"]:
            out.append("name:order_swapped")
        elif pa["surname"] == pb["surname"] and pa["given_first"] == pb["given_first"]:
            out.append("name:middle_differs")
        else:
            out.append(
                "name:spelling("
                + ("sur" if pa["surname"] != pb["surname"] else "")
                + ("giv" if pa["given_first"] != pb["given_first"] else "")
                + ")"
            )
    if pa["name_key"] == pb["name_key"] and pa["surname"] != pb["surname"]:
        out.append("name:same_key_parts_split_differently")
    for col, tag in (("sex", "sex"),):
        e = eq(pa[col], pb[col])
        out.append(f"{tag}:missing" if e is None else ("" if e else f"{tag}:differs"))
    for col, tag, near, far in (("age", "age", 2, 6), ("event_day", "date", 3, 31)):
        e = eq(pa[col], pb[col])
        if e is None:
            out.append(f"{tag}:missing")
        elif not e:
            d = abs(int(pa[col]) - int(pb[col]))
            band = (
                f"diff<={near}"
                if d <= near
                else f"diff{near + 1}-{far}"
                if d <= far
                else f"diff>{far}"
            )
            out.append(f"{tag}:{band}")
    e2 = eq(pa["admin2_pcode"], pb["admin2_pcode"])
    e1 = eq(pa["admin1_pcode"], pb["admin1_pcode"])
    if e2 is None:
        out.append("cercle:missing" + ("" if e1 else "+region_differs"))
    elif not e2:
        out.append("cercle:differs")
    elif not e1:
        out.append("region:differs(old codes)")
    e = eq(pa["place_key"], pb["place_key"])
    out.append("village:missing" if e is None else "" if e else "village:differs")
    return [x for x in out if x]


def name_diag(a: int, b: int) -> str:
    return f"{R.loc[a, 'full_name']!r} vs {R.loc[b, 'full_name']!r}"


# --- FN ------------------------------------------------------------------------------------
# refusal reasons for a pair scored >= link threshold but not joined
src = R["source"]


def fn_category(a: int, b: int) -> str:
    p = score.get((a, b))
    if p is None:
        return "never compared (blocking)"
    if p < settings.review_threshold:
        return "scored < review threshold (0.5)"
    if p < settings.link_threshold:
        return "scored 0.5-0.9 (review)"
    return "scored >= 0.9 but not joined (guard/tie-break)"


def guard_reason(a: int, b: int) -> str:
    """Why a strong true pair ended in two clusters."""
    ca, cb = cl_of[a], cl_of[b]
    ma = cl_of.index[cl_of == ca]
    mb = cl_of.index[cl_of == cb]
    reasons = []
    shared = (set(src[ma]) & set(src[mb])) - set(duplicated)
    if shared:
        # is the shared-source record in a's cluster a wrong person (namesake)?
        wrong = [m for m in list(ma) + list(mb) if person[m] != person[a]]
        reasons.append(
            "same source in both clusters"
            + (" (a namesake took the slot)" if wrong else " (true duplicate in list)")
        )
    entry = list(model.rules.same_entry)
    for source in set(src[ma]) & set(src[mb]) & set(duplicated):
        both = [m for m in list(ma) + list(mb) if src[m] == source]
        if entry and len({tuple(P.loc[m, entry].astype(str)) for m in both}) > 1:
            reasons.append("two entries of a list that repeats rows")
    ages = pd.to_numeric(pd.concat([P.loc[ma, "age"], P.loc[mb, "age"]]), errors="coerce").dropna()
    if len(ages) and ages.max() - ages.min() > model.rules.max_age_span:
        reasons.append("age span guard")
    sexes = set(P.loc[ma, "sex"].dropna()) | set(P.loc[mb, "sex"].dropna())
    if len(sexes) > 1:
        reasons.append("sex guard")
    return "; ".join(reasons) or "other"


fn_cat = Counter()
fn_fields = Counter()
fn_field_by_cat: dict[str, Counter] = {}
examples: dict[str, list[str]] = {}
for a, b in sorted(fn):
    c = fn_category(a, b)
    if c.startswith("scored >= 0.9"):
        c = c + ": " + guard_reason(a, b)
    fn_cat[c] += 1
    diffs = field_diffs(a, b)
    key = " ".join(sorted(d for d in diffs if not d.endswith("missing") or d.startswith("name")))
    fn_field_by_cat.setdefault(c, Counter())[key or "(no difference)"] += 1
    for d in diffs:
        fn_fields[d] += 1
    shown = f"{score.get((a, b), float('nan')):.3f} {name_diag(a, b)} {diffs}"
    examples.setdefault(c, []).append(shown)

print("\n=== FALSE NEGATIVE pairs by where they were lost ===")
for c, n in fn_cat.most_common():
    print(f"{n:6d}  {c}")
    for k, m in fn_field_by_cat[c].most_common(12):
        print(f"          {m:5d}  differs: {k}")
    if VERBOSE:
        for e in examples[c][:8]:
            print("             e.g.", e)
print("\nFN: field differences (a pair may count in several)")
for d, n in fn_fields.most_common():
    print(f"{n:6d}  {d}")

# --- FP ------------------------------------------------------------------------------------
FIELDS = ["name_key", "sex", "age", "event_day", "admin2_pcode", "admin1_pcode", "place_key"]


def identical(a: int, b: int) -> str:
    pa, pb = P.loc[a], P.loc[b]
    diff = [f for f in FIELDS if eq(pa[f], pb[f]) is False]
    miss = [f for f in FIELDS if eq(pa[f], pb[f]) is None]
    if diff:
        return "distinguishable: differs on " + "+".join(diff)
    if miss:
        return "identical where both known (missing: " + "+".join(miss) + ")"
    return "identical on every field"


fp_cat = Counter()
fp_direct = Counter()
fp_examples: dict[str, list[str]] = {}
for a, b in sorted(fp):
    c = identical(a, b)
    fp_cat[c] += 1
    p = score.get((a, b))
    direct = (
        "direct link >=0.9"
        if p is not None and p >= settings.link_threshold
        else ("transitive (chain)")
    )
    fp_direct[(c.split(":")[0].split(" (")[0], direct)] += 1
    fp_examples.setdefault(c, []).append(f"{p} {name_diag(a, b)} {field_diffs(a, b)}")

print("\n=== FALSE POSITIVE pairs ===")
for c, n in fp_cat.most_common():
    print(f"{n:6d}  {c}")
    if VERBOSE:
        for e in fp_examples[c][:5]:
            print("             e.g.", e)
print("FP by kind and whether the pair itself was linked:")
for k, n in sorted(fp_direct.items()):
    print(f"{n:6d}  {k}")

# How indistinguishable are truly different records? all pairs identical on every field
key = prepared[["name_key", "sex", "age", "event_day", "admin2_pcode", "place_key"]].astype(str)
grp = key.agg("|".join, axis=1)
pid = person.reindex(prepared["record_id"]).to_numpy()
g = pd.DataFrame({"k": grp.to_numpy(), "p": pid, "r": prepared["record_id"].to_numpy()})
same_diff = 0
same_same = 0
for _, sub in g.groupby("k"):
    if len(sub) < 2:
        continue
    for (_r1, p1), (_r2, p2) in itertools.combinations(zip(sub.r, sub.p, strict=True), 2):
        if p1 == p2:
            same_same += 1
        else:
            same_diff += 1
print(
    f"\nPairs identical on name_key,sex,age,date,cercle,village (as strings, None==None): "
    f"different people {same_diff}, same person {same_same}"
)
