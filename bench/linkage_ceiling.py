"""How high pairwise F1 on the generated victim lists goes under other scorings of the pairs.

    .venv/bin/python bench/linkage_ceiling.py 10000 1                  # records, seed
    .venv/bin/python bench/linkage_ceiling.py 10000 1 --father 0.5,1   # and with fathers' names

Every candidate pair civharm's blocking finds is scored four ways, and each scoring is
clustered with civharm's guards at link thresholds 0.01, 0.02, 0.05, 0.1, 0.2 … 0.9:
- civharm: the victim model, trained as a run trains it;
- perfect: 1 for two records of one person, 0 otherwise (what blocking and guards allow);
- levels, in-sample: each pair scored by the share of true matches among the candidate pairs
  with the same match weight on every comparison (name-frequency adjustment included),
  computed on those pairs themselves: it has seen the answer (a pair alone in its group is
  scored by its own truth), so it is optimistic;
- boosted trees: a gradient-boosted classifier trained on the truth, on the raw fields of
  both records (age and date differences, string similarities, name frequencies, which two
  lists); each pair is scored by trees trained on the pairs of the other half of the persons
  (halves by the first record's person).
For each scoring it prints the run at 0.9 (LinkageSettings' default, which bench/linkage.py
uses) and the run at the threshold where pairwise F1 is highest. The last two scorings learn
from the truth, which no run has; they are not proofs of a bound, only the best of what was
tried.

--father S1,S2…: the same lists with the father's given name ("fils de Moussa") on a share S
of the records, drawn record by record (a pair has it on both sides with probability S²; one
father per household; for those named "Ag Mohamed" the father is Mohamed, so namesakes of
that form share him). civharm's victim model compares it where both records give it (and not
where it repeats the name after Ag/Ould/Mint): this measures what it adds.
Generated people only: no real name is read or printed.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from civharm.linkage import pipeline  # noqa: E402
from civharm.linkage.metrics import bcubed, pairwise_scores  # noqa: E402
from civharm.linkage.pipeline import LinkageModel  # noqa: E402
from civharm.linkage.results import LinkageSettings  # noqa: E402
from civharm.linkage.victims import VICTIM_MODEL  # noqa: E402

THRESHOLDS = (0.01, 0.02, 0.05, *(round(0.1 * step, 1) for step in range(1, 10)))
BENCH_THRESHOLD = LinkageSettings().link_threshold


def scored_pairs(model: LinkageModel, prepared: pd.DataFrame) -> pd.DataFrame:
    """Every candidate pair with civharm's probability and each comparison's match weight."""
    from splink import Linker

    from civharm.linkage.engines import close_engine, open_engine

    api = open_engine("duckdb")
    try:
        table = api.register(prepared)
        trained = pipeline._train(table, model, prepared, lambda _step: None)
        trained["retain_intermediate_calculation_columns"] = True  # the mw_ columns
        linker = Linker(table, trained, log_level=logging.ERROR, validate_settings=False)
        predictions = linker.inference.predict(threshold_match_probability=None)
        query = f"SELECT * FROM {predictions.physical_name}"  # noqa: S608 - Splink's table
        pairs = linker.misc.query_sql(query, output_type="pandas")
    finally:
        close_engine(api)
    # dedupe_only: Splink gives the smaller id on the left, with its tf_…_l columns
    assert (pairs["record_id_l"] < pairs["record_id_r"]).all()
    return pairs.sort_values(["record_id_l", "record_id_r"], ignore_index=True)  # any engine order


def levels_in_sample(pairs: pd.DataFrame, match: np.ndarray) -> np.ndarray:
    """The share of true matches among the pairs with the same weight on every comparison."""
    weights = [c for c in pairs.columns if c.startswith("mw_")]
    key = pairs[weights].round(6).astype(str).agg("|".join, axis=1)
    return pd.Series(match, index=pairs.index).groupby(key).transform("mean").to_numpy()


def raw_features(pairs: pd.DataFrame, prepared: pd.DataFrame) -> pd.DataFrame:
    from rapidfuzz.distance import JaroWinkler
    from rapidfuzz.process import cpdist

    records = prepared.set_index("record_id")
    left = records.loc[pairs["record_id_l"]].reset_index(drop=True)
    right = records.loc[pairs["record_id_r"]].reset_index(drop=True)

    def same(column: str) -> np.ndarray:
        a, b = left[column].astype(object), right[column].astype(object)
        known = a.notna().to_numpy() & b.notna().to_numpy()
        return np.where(known, (a.to_numpy() == b.to_numpy()).astype(int), -1)

    def similarity(column: str) -> np.ndarray:
        a, b = left[column].fillna("").astype(str), right[column].fillna("").astype(str)
        scores = cpdist(a.tolist(), b.tolist(), scorer=JaroWinkler.normalized_similarity)
        return np.where((a != "").to_numpy() & (b != "").to_numpy(), scores, -1.0)

    def apart(column: str) -> np.ndarray:
        a = pd.to_numeric(left[column], errors="coerce").astype(float).to_numpy()
        b = pd.to_numeric(right[column], errors="coerce").astype(float).to_numpy()
        return np.abs(a - b)

    sources = {name: i for i, name in enumerate(sorted(records["source"].unique()))}
    low = np.minimum(left["source"].map(sources), right["source"].map(sources))
    high = np.maximum(left["source"].map(sources), right["source"].map(sources))
    features = {
        **{f"same_{c}": same(c) for c in ("name_key", "surname", "given_first", "sex")},
        **{f"same_{c}": same(c) for c in ("admin1_pcode", "admin2_pcode", "place_key")},
        **{f"jw_{c}": similarity(c) for c in ("name_key", "surname", "given", "place_key")},
        "age_apart": apart("age"),
        "days_apart": apart("event_day"),
        "age": pd.to_numeric(left["age"], errors="coerce").astype(float).to_numpy(),
        "tf_l": pairs["tf_name_key_l"].astype(float).to_numpy(),
        "tf_r": pairs["tf_name_key_r"].astype(float).to_numpy(),
        "lists": (low * len(sources) + high).to_numpy(),
    }
    if "father_key" in records:
        features["same_father"] = same("father_key")
        features["jw_father"] = similarity("father_key")
    return pd.DataFrame(features)


def boosted_trees(features: pd.DataFrame, match: np.ndarray, half: np.ndarray) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    lists = [features.columns.get_loc("lists")]
    scores = np.zeros(len(features))
    for held_out in (0, 1):
        trees = HistGradientBoostingClassifier(
            max_iter=300, categorical_features=lists, random_state=0
        )
        trees.fit(features[half != held_out], match[half != held_out])
        scores[half == held_out] = trees.predict_proba(features[half == held_out])[:, 1]
    return scores


def clustered(
    scores: np.ndarray,
    pairs: pd.DataFrame,
    records: pd.DataFrame,
    model: LinkageModel,
    truth: pd.DataFrame,
    duplicated: frozenset[str],
    threshold: float,
) -> tuple[float, str]:
    """(pairwise F1, printed figures) of the clusters linked at `threshold`."""
    scored = pairs[["record_id_l", "record_id_r"]].assign(match_probability=scores)
    settings = LinkageSettings(
        sources_with_duplicates=duplicated, link_threshold=threshold, review_threshold=threshold
    )
    kept = scored[scored["match_probability"] >= threshold]
    clusters = pipeline.assemble_result(records, kept, None, model, settings).clusters
    pairwise, cubed = pairwise_scores(clusters, truth), bcubed(clusters, truth)
    figures = f"{pairwise.precision:7.4f} {pairwise.recall:7.4f} {pairwise.f1:7.4f} {cubed.f1:7.4f}"
    return pairwise.f1, figures


def one_register(size: int, seed: int, father_share: float) -> None:
    from civharm.linkage.synthetic import DUPLICATE_SOURCE, victims_for_size

    victims = victims_for_size(size, seed, father_share=father_share)
    truth = victims[["record_id"]].assign(cluster_id=victims["true_person_id"].to_numpy())
    frame = victims.drop(columns=["true_person_id", "true_incident_id"])
    duplicated = frozenset({DUPLICATE_SOURCE} & set(frame["source"]))
    model = VICTIM_MODEL  # it compares the father's name where a record gives one
    prepared = model.prepare(frame)
    pairs = scored_pairs(model, prepared)
    person = truth.set_index("record_id")["cluster_id"]
    left = person.reindex(pairs["record_id_l"]).to_numpy()
    match = left == person.reindex(pairs["record_id_r"]).to_numpy()
    records = prepared[["record_id", "source", *model.rules.columns()]]
    scorings = {
        "civharm": pairs["match_probability"].to_numpy(),
        "perfect": match.astype(float),
        "levels in-sample": levels_in_sample(pairs, match),
        "boosted trees": boosted_trees(raw_features(pairs, prepared), match, left % 2),
    }
    fathers = f"{father_share:.0%}" if father_share > 0 else "none"
    for name, scores in scorings.items():
        runs = {
            threshold: clustered(scores, pairs, records, model, truth, duplicated, threshold)
            for threshold in sorted({*THRESHOLDS, BENCH_THRESHOLD})
        }
        best = max(runs, key=lambda threshold: (runs[threshold][0], threshold))  # ties: highest
        for label, threshold in (("bench", BENCH_THRESHOLD), ("best", best)):
            figures = runs[threshold][1]
            print(
                f"{len(frame):>9,} {seed:>4} {fathers:>7} {name:<16} {label:>5} {threshold:>4}"
                f" {figures}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, nargs="?", default=10_000)
    parser.add_argument("seed", type=int, nargs="?", default=1)
    parser.add_argument("--father", default="", help="shares of records with a father's name")
    args = parser.parse_args()
    shares = [0.0, *(float(s) for s in args.father.split(",") if s)]
    if not all(0 <= share <= 1 for share in shares):
        parser.error("--father takes shares between 0 and 1")
    print(
        f"{'records':>9} {'seed':>4} {'fathers':>7} {'scoring':<16} {'run':>5} {'link':>4}"
        f" {'pair P':>7} {'pair R':>7} {'pair F1':>7} {'B3 F1':>7}"
    )
    for share in shares:
        one_register(args.size, args.seed, share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
