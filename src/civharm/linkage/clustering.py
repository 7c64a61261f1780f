"""Clusters from scored pairs, with guards: a person's verdict beats the model, two records
of one source list are never one person, and a link that would chain records that must stay
apart is refused and sent to review instead.

Pure Python over the pairs it is given; the pipeline hands it only the clusters that need
guarding, so it never holds all pairs of a large run.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

PAIR_COLUMNS = ["record_id_l", "record_id_r", "match_probability"]


def latest_decisions(decisions: pd.DataFrame | None) -> dict[tuple[int, int], str]:
    """(left, right) -> "match"/"no_match", the last verdict on each pair winning."""
    if decisions is None or decisions.empty:
        return {}
    verdicts: dict[tuple[int, int], str] = {}
    for left, right, decision in decisions[["record_id_l", "record_id_r", "decision"]].itertuples(
        index=False
    ):
        verdicts[_pair(int(left), int(right))] = str(decision)
    return verdicts


def cluster_records(
    records: pd.DataFrame,
    links: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
    *,
    link_threshold: float,
    distinct_within_source: bool,
    sources_with_duplicates: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (clusters: record_id, cluster_id) and the refused links (reason "chained").

    cluster_id is the smallest record_id of the cluster, so it is stable across runs.
    """
    verdicts = latest_decisions(decisions)
    ids = [int(i) for i in records["record_id"]]
    sources = dict(zip(ids, records["source"].astype(str), strict=True))
    known = set(ids)
    groups = _Groups(ids, sources, distinct_within_source, sources_with_duplicates)
    for (left, right), verdict in verdicts.items():
        if verdict == "no_match" and left in known and right in known:
            groups.forbid(left, right)
    # People first: a "same" verdict joins even two records of one list.
    for (left, right), verdict in verdicts.items():
        if verdict == "match" and left in known and right in known:
            groups.join(left, right, by_person=True)
    refused = []
    for left, right, probability in _strongest_first(links, link_threshold):
        if left not in known or right not in known or _pair(left, right) in verdicts:
            continue
        if not groups.join(left, right, by_person=False):
            refused.append((left, right, probability))
    smallest = {root: min(members) for root, members in groups.members.items()}
    clusters = pd.DataFrame(
        {"record_id": ids, "cluster_id": [smallest[groups.find(i)] for i in ids]}, dtype="int64"
    )
    chained = pd.DataFrame(refused, columns=PAIR_COLUMNS)
    chained["reason"] = "chained"
    return clusters, chained


def _strongest_first(links: pd.DataFrame, threshold: float) -> Iterable[tuple[int, int, float]]:
    strong = links[links["match_probability"] >= threshold]
    strong = strong.sort_values(
        ["match_probability", "record_id_l", "record_id_r"], ascending=[False, True, True]
    )
    for left, right, probability in strong[PAIR_COLUMNS].itertuples(index=False):
        yield (*_pair(int(left), int(right)), float(probability))


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


class _Groups:
    """Union-find that refuses a join breaking a constraint; each root keeps its members,
    the sources it holds and the records it must never join."""

    def __init__(
        self,
        ids: list[int],
        sources: dict[int, str],
        distinct_within_source: bool,
        sources_with_duplicates: frozenset[str],
    ) -> None:
        self.parent = {i: i for i in ids}
        self.members: dict[int, list[int]] = {i: [i] for i in ids}
        self.sources: dict[int, set[str]] = {i: {sources[i]} for i in ids}
        self.forbidden: dict[int, set[int]] = {}
        self.distinct = distinct_within_source
        self.duplicated = sources_with_duplicates

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def forbid(self, a: int, b: int) -> None:
        self.forbidden.setdefault(a, set()).add(b)
        self.forbidden.setdefault(b, set()).add(a)

    def join(self, a: int, b: int, *, by_person: bool) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        if self._forbidden_between(root_a, root_b):
            return False
        if not by_person and self.distinct and self._share_a_source(root_a, root_b):
            return False
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.members[root_a].extend(self.members.pop(root_b))
        self.sources[root_a] |= self.sources.pop(root_b)
        return True

    def _forbidden_between(self, root_a: int, root_b: int) -> bool:
        if not self.forbidden:
            return False
        small, large = sorted((root_a, root_b), key=lambda r: len(self.members[r]))
        large_members = set(self.members[large])
        return any(
            not self.forbidden.get(m, set()).isdisjoint(large_members) for m in self.members[small]
        )

    def _share_a_source(self, root_a: int, root_b: int) -> bool:
        shared = self.sources[root_a] & self.sources[root_b]
        return bool(shared - self.duplicated)
