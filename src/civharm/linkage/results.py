"""Settings in, results out: plain dataclasses at the package boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class LinkageSettings:
    """Thresholds are settings: pairs at or above `link_threshold` are linked, pairs between
    `review_threshold` and it go to the review queue (at most `max_review_pairs`)."""

    link_threshold: float = 0.9
    review_threshold: float = 0.5
    max_review_pairs: int = 500
    engine: str = "duckdb"  # duckdb or spark
    # Records of one source list are one person each, unless the list has known duplicates.
    sources_with_duplicates: frozenset[str] = frozenset()


@dataclass
class LinkageResult:
    """clusters: record_id, cluster_id (the smallest record_id in the cluster).
    links: record_id_l < record_id_r, match_probability — the pairs the clusters rest on.
    review_pairs: record_id_l < record_id_r, match_probability, reason (uncertain, chained).
    """

    clusters: pd.DataFrame
    links: pd.DataFrame
    review_pairs: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)
    # The trained model the pairs were scored with (Splink's JSON: probabilities and
    # comparison SQL, no record), to be reused by the next run (see pipeline.TrainedModel).
    model: dict[str, Any] | None = None

    def summary(self) -> dict[str, int]:
        n_clusters = int(self.clusters["cluster_id"].nunique()) if len(self.clusters) else 0
        return {
            "records": len(self.clusters),
            "clusters": n_clusters,
            "links": len(self.links),
            "review_pairs": len(self.review_pairs),
        }
