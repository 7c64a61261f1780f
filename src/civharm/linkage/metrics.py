"""Accuracy of a clustering against the truth: pairwise and B-cubed precision, recall and F1.

Pure functions on (record_id, cluster_id) frames. They count pairs from cluster sizes and never
enumerate the pairs of a cluster, so they run on millions of records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd


class ClusterFrameError(ValueError):
    """A clustering frame lacks a column, repeats a record, or names records the truth lacks."""


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class _Contingency:
    """Sizes of predicted clusters, true clusters and their non-empty intersections."""

    predicted: np.ndarray
    true: np.ndarray
    cells: np.ndarray  # intersection size of each (predicted, true) cell
    cell_predicted: np.ndarray  # size of the predicted cluster of each cell
    cell_true: np.ndarray  # size of the true cluster of each cell
    records: int


def _check(frame: pd.DataFrame, name: str) -> None:
    missing = {"record_id", "cluster_id"} - set(frame.columns)
    if missing:
        raise ClusterFrameError(f"{name} frame lacks column(s) {sorted(missing)}")
    if frame["record_id"].duplicated().any():
        raise ClusterFrameError(f"{name} frame lists a record_id more than once")


def _codes(values: pd.Series) -> np.ndarray:
    """Dense cluster codes; a record with no cluster (NaN) is a cluster of its own."""
    codes, uniques = pd.factorize(values)
    alone = codes < 0
    codes[alone] = len(uniques) + np.arange(alone.sum())
    return codes.astype(np.int64)


def _contingency(predicted: pd.DataFrame, truth: pd.DataFrame) -> _Contingency:
    """Truth's records, each in its predicted cluster; records the prediction omits are
    singletons. Predicted records the truth does not know are an error, not silently dropped."""
    _check(predicted, "predicted")
    _check(truth, "truth")
    unknown = ~predicted["record_id"].isin(truth["record_id"])
    if unknown.any():
        raise ClusterFrameError(f"predicted frame has {int(unknown.sum())} record(s) not in truth")
    merged = truth[["record_id", "cluster_id"]].merge(
        predicted[["record_id", "cluster_id"]], on="record_id", how="left", suffixes=("_t", "_p")
    )
    true = _codes(merged["cluster_id_t"])
    pred = _codes(merged["cluster_id_p"])
    pred_sizes = np.bincount(pred)
    true_sizes = np.bincount(true)
    cell, cells = np.unique(pred * (true.max(initial=0) + 1) + true, return_counts=True)
    cell_pred, cell_true = np.divmod(cell, true.max(initial=0) + 1)
    return _Contingency(
        predicted=pred_sizes,
        true=true_sizes,
        cells=cells,
        cell_predicted=pred_sizes[cell_pred],
        cell_true=true_sizes[cell_true],
        records=len(merged),
    )


def _pairs(sizes: np.ndarray) -> int:
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def _scores(precision: float, recall: float) -> Scores:
    total = precision + recall
    return Scores(precision, recall, 2 * precision * recall / total if total else 0.0)


def pairwise_scores(predicted: pd.DataFrame, truth: pd.DataFrame) -> Scores:
    """Precision and recall over the pairs of records put in one cluster.

    With no predicted pair, precision is 1 (no false link); with no true pair, recall is 1.
    Records of truth missing from `predicted` count as singletons.
    """
    table = _contingency(predicted, truth)
    together = _pairs(table.cells)
    predicted_pairs, true_pairs = _pairs(table.predicted), _pairs(table.true)
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return _scores(precision, recall)


def bcubed(predicted: pd.DataFrame, truth: pd.DataFrame) -> Scores:
    """B-cubed: per record, the share of its predicted cluster that is truly its own
    (precision) and of its true cluster that was predicted with it (recall), averaged.

    An empty truth scores 1.
    """
    table = _contingency(predicted, truth)
    if table.records == 0:
        return Scores(1.0, 1.0, 1.0)
    cells = table.cells.astype(np.float64)
    precision = float((cells * cells / table.cell_predicted).sum() / table.records)
    recall = float((cells * cells / table.cell_true).sum() / table.records)
    return _scores(precision, recall)
