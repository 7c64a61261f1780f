"""Clusters from scored pairs, with guards: a person's verdict beats the model, two records
of one source list are never one person, and a link that would chain records that must stay
apart is refused and sent to review instead.

Works on the pairs it is given (pandas, numpy and a union-find in Python): the pipeline
hands it only the pairs that scored above the review threshold, never all pairs of a run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from civharm.linkage.frames import DELIVERY

PAIR_COLUMNS = ["record_id_l", "record_id_r", "match_probability"]


@dataclass(frozen=True)
class ClusterRules:
    """What can never be one entity, whatever the pairwise scores say.

    max_window_gap_days: date windows (start_day, end_day) must come this close;
    max_age_span: known ages (age) of one person must lie within this many years;
    one_sex: known sexes (sex) of one person must agree;
    closest_first: numeric columns that order links the model scores alike: of two links
    equally strong, the one whose records lie closer on these columns (in age, in days) is
    tried first, so a namesake of another age does not take a person's place by record order;
    same_entry: columns on which two records of a source known to repeat itself must agree
    to be one entity: such a source may hold one entry twice (a form sent again), but two
    different entries of it stay two, as for any other source. Empty: it may repeat anything
    (the press tells one event many times, in other words each time);
    sent_twice: columns on which two records of a source that tells each entity once agree
    when they are one entry sent twice: a pair of such a source that differs on one of them
    is two entities by the rules, and is not put to review. Empty: the same_entry columns."""

    max_window_gap_days: int | None = None
    max_age_span: int | None = None
    one_sex: bool = False
    closest_first: tuple[str, ...] = ()
    same_entry: tuple[str, ...] = ()
    sent_twice: tuple[str, ...] = ()

    def entry_columns(self) -> tuple[str, ...]:
        """The columns telling one entry sent twice from two entries of one source."""
        return self.sent_twice or self.same_entry

    def columns(self) -> list[str]:
        wanted = [
            (self.max_window_gap_days is not None, ["start_day", "end_day"]),
            (self.max_age_span is not None, ["age"]),
            (self.one_sex, ["sex"]),
            (True, list(self.closest_first)),
            (True, list(self.same_entry)),
            (True, list(self.sent_twice)),
        ]
        out: list[str] = []
        for on, columns in wanted:
            out.extend(c for c in columns if on and c not in out)
        return out


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
    rules: ClusterRules | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Returns (clusters: record_id, cluster_id) and the refused links (reason "chained").

    cluster_id is the smallest record_id of the cluster, so it is stable across runs.
    `records` has record_id, source and the columns `rules` reads: a link that would put
    into one cluster reports weeks apart, or a 30-year-old and a 60-year-old, is refused
    even when each pair along the chain looked alike.
    """
    verdicts = latest_decisions(decisions)
    rules = rules or ClusterRules()
    all_ids = records["record_id"].astype("int64")
    if all_ids.duplicated().any():
        raise ValueError("records must hold each record_id once")
    strong = links[links["match_probability"] >= link_threshold]
    strong = strong[
        strong["record_id_l"].astype("int64").isin(all_ids)
        & strong["record_id_r"].astype("int64").isin(all_ids)
    ]
    # Links of equal strength are tried closest first, "close" measured against all the strong
    # links between these records (not only those joined link by link below).
    closeness = _gaps(strong, records, rules.closest_first)
    joined, guarded = _free_components(records, strong, verdicts, rules)
    # Only the components that could break a rule need the link-by-link joins below.
    in_guarded = strong["record_id_l"].astype("int64").isin(guarded)
    involved = records[all_ids.isin(guarded)]
    guarded_joined, refused = _guarded_clusters(
        involved,
        strong[in_guarded],
        closeness[in_guarded],
        verdicts,
        distinct_within_source,
        sources_with_duplicates,
        rules,
    )
    joined.update(guarded_joined)
    clusters = pd.DataFrame(
        {"record_id": all_ids.to_numpy(), "cluster_id": all_ids.map(joined).fillna(all_ids)},
        dtype="int64",
    )
    chained = pd.DataFrame(refused, columns=PAIR_COLUMNS)
    chained["reason"] = "chained"
    return clusters, chained


def without_two_entries_of_one_source(
    pairs: pd.DataFrame,
    records: pd.DataFrame,
    entry: tuple[str, ...],
    sources_with_duplicates: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Pairs for review, less those of two different entries of one source that is not known
    to repeat itself: such a source names each person once, so the pair is two people by the
    rules, whatever the model scored. Two entries alike on every `entry` column (unknown
    alike on both sides) stay: a form sent twice to a list not known to repeat itself is one
    person, and only a person can say so. A source known to repeat itself keeps every pair:
    it may hold a person twice with different details, and the queue is the only way those
    two entries can join. So does a pair of two deliveries of one source (`records`' optional
    column frames.DELIVERY, the register's imports): a list sent again with an age corrected
    holds the same entry changed. With no `entry` column, every pair stays.
    `entry`: ClusterRules.entry_columns().

    For models whose sources name each entity once (distinct_within_source). On the demo
    register it left 37 of 66 person pairs and 26 of 32 incident pairs for review, and every
    pair of one person or event (docs/linkage.md, "What the review queue asks")."""
    if pairs.empty or not entry:
        return pairs
    by_id = records.set_index(records["record_id"].astype("int64"))
    delivered = [DELIVERY] if DELIVERY in records else []
    columns = ["source", *delivered, *entry]
    left = by_id[columns].reindex(pairs["record_id_l"].astype("int64")).reset_index(drop=True)
    right = by_id[columns].reindex(pairs["record_id_r"].astype("int64")).reset_index(drop=True)
    source = left["source"].astype(str)
    one_source = (source == right["source"].astype(str)) & ~source.isin(sources_with_duplicates)
    for column in delivered:  # unknown on both sides: one delivery, as with no column
        a, b = left[column].astype("object"), right[column].astype("object")
        one_source &= (a == b).fillna(False) | (a.isna() & b.isna())
    alike = pd.Series(True, index=left.index)
    for column in entry:
        a, b = left[column].astype("object"), right[column].astype("object")
        alike &= (a == b).fillna(False) | (a.isna() & b.isna())
    return pairs[~(one_source & ~alike).to_numpy()]


def _guarded_clusters(
    involved: pd.DataFrame,
    strong: pd.DataFrame,
    closeness: pd.Series,
    verdicts: dict[tuple[int, int], str],
    distinct_within_source: bool,
    sources_with_duplicates: frozenset[str],
    rules: ClusterRules,
) -> tuple[dict[int, int], list[tuple[int, int, float]]]:
    """Join `involved` records link by link, strongest first, refusing any join that breaks
    a rule. Returns (record -> its cluster's smallest member, the refused links). Links and
    verdicts naming records not in `involved` are passed over."""
    ids = [int(i) for i in involved["record_id"]]
    sources = dict(zip(ids, involved["source"].astype(str), strict=True))
    known = set(ids)
    groups = _Groups(ids, sources, distinct_within_source, sources_with_duplicates)
    groups.apply_rules(involved, rules)
    for (left, right), verdict in verdicts.items():
        if verdict == "no_match" and left in known and right in known:
            groups.forbid(left, right)
    # People first: a "same" verdict joins even two records of one list.
    for (left, right), verdict in verdicts.items():
        if verdict == "match" and left in known and right in known:
            groups.join(left, right, by_person=True)
    refused = []
    for left, right, probability in _strongest_first(strong, closeness):
        if left not in known or right not in known or _pair(left, right) in verdicts:
            continue
        if not groups.join(left, right, by_person=False):
            refused.append((left, right, probability))
    smallest = {root: min(members) for root, members in groups.members.items()}
    return {i: smallest[groups.find(i)] for i in ids}, refused


def _free_components(
    records: pd.DataFrame,
    strong: pd.DataFrame,
    verdicts: dict[tuple[int, int], str],
    rules: ClusterRules,
) -> tuple[dict[int, int], set[int]]:
    """(record -> smallest member, for the linked groups that break no rule as a whole; the
    records of the other groups).

    Every rule holds of a part when it holds of the whole (a part of a group with ages within
    the span has ages within the span, and so on), so a group that breaks no rule as a whole
    would be joined entirely, link by link: it is joined at once. The test is stricter than
    the rules where that is simpler: any list twice sends a group link by link (a list known
    to repeat rows too, and whether or not lists must be distinct), and so does any verdict
    on one of its records, whatever the verdict."""
    left = strong["record_id_l"].to_numpy(dtype="int64")
    right = strong["record_id_r"].to_numpy(dtype="int64")
    decided = np.array([i for pair in verdicts for i in pair], dtype="int64")
    nodes, component = _components(
        np.concatenate([left, decided[0::2]]), np.concatenate([right, decided[1::2]])
    )
    member = records.set_index(records["record_id"].astype("int64")).reindex(nodes)
    group = pd.Series(component, index=nodes)
    broken = set(group.loc[decided].tolist())
    # one list twice: a namesake, or a source that repeats itself (ClusterRules.same_entry)
    sources = member["source"].astype(str)  # as the link-by-link joins read them
    twice = pd.DataFrame({"c": component, "s": sources.to_numpy()}).duplicated().to_numpy()
    broken.update(group[twice].tolist())
    if rules.max_age_span is not None:
        ages = pd.to_numeric(member["age"], errors="coerce").astype("float64").groupby(group)
        broken.update(_where(ages.max() - ages.min() > rules.max_age_span))
    if rules.one_sex:
        sexes = member["sex"].where(member["sex"].isin(["m", "f"])).groupby(group)
        broken.update(_where(sexes.nunique() > 1))
    if rules.max_window_gap_days is not None:
        starts = pd.to_numeric(member["start_day"], errors="coerce").astype("float64")
        ends = pd.to_numeric(member["end_day"], errors="coerce").astype("float64").fillna(starts)
        dated = starts.notna()
        gap = starts[dated].groupby(group[dated]).max() - ends[dated].groupby(group[dated]).min()
        broken.update(_where(gap > rules.max_window_gap_days))
    free = ~group.isin(broken).to_numpy()
    joined = dict(zip(nodes[free].tolist(), component[free].tolist(), strict=True))
    return joined, set(nodes[~free].tolist())


def _where(flags: pd.Series) -> list[int]:
    """The index of the rows flagged True (unknown is False)."""
    return flags.index[flags.fillna(False).to_numpy(dtype=bool)].tolist()


def _components(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the records named by these links, sorted; each one's group as its smallest record)."""
    nodes, index = np.unique(np.concatenate([left, right]), return_inverse=True)
    if not len(nodes):
        return nodes, nodes
    n = len(nodes)
    graph = coo_matrix(
        (np.ones(len(left), dtype=np.int8), (index[: len(left)], index[len(left) :])),
        shape=(n, n),
    )
    _count, label = connected_components(graph, directed=False)
    smallest = np.full(label.max() + 1, n, dtype=np.int64)
    np.minimum.at(smallest, label, np.arange(n))  # nodes are sorted: the first is the smallest
    return nodes, nodes[smallest[label]]


def _gaps(links: pd.DataFrame, records: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """Per link, how far apart its two records lie on `columns`: each column's absolute
    difference over that column's spread among these links, summed (years and days weigh
    alike); unknown on either side counts as the largest difference. Small is close."""
    total = pd.Series(0.0, index=links.index)
    if not columns or links.empty:
        return total
    by_id = records.set_index(records["record_id"].astype("int64"))
    for column in columns:
        values = pd.to_numeric(by_id[column], errors="coerce").astype("float64")
        left = values.reindex(links["record_id_l"].astype("int64")).to_numpy()
        right = values.reindex(links["record_id_r"].astype("int64")).to_numpy()
        gap = pd.Series(abs(left - right), index=links.index)
        spread = gap.max()
        if pd.isna(spread) or spread == 0:
            spread = 1.0
        total += (gap / spread).fillna(1.0)
    return total


def _strongest_first(strong: pd.DataFrame, gaps: pd.Series) -> Iterable[tuple[int, int, float]]:
    strong = strong.assign(_gap=gaps)
    strong = strong.sort_values(
        ["match_probability", "_gap", "record_id_l", "record_id_r"],
        ascending=[False, True, True, True],
    )
    for left, right, probability in strong[PAIR_COLUMNS].itertuples(index=False):
        yield (*_pair(int(left), int(right)), float(probability))


Span = tuple[float, float]


def _joined(a: Span | None, b: Span | None, first: Callable, second: Callable) -> Span | None:
    if a is None or b is None:
        return a or b
    return (first(a[0], b[0]), second(a[1], b[1]))


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
        # per root: (latest start, earliest end) of date windows; (min, max) of ages; sexes;
        # the entries it holds of each source that repeats itself (ClusterRules.same_entry)
        self.windows: dict[int, tuple[float, float]] = {}
        self.ages: dict[int, tuple[float, float]] = {}
        self.sexes: dict[int, str] = {}
        self.entries: dict[int, dict[str, set[tuple[object, ...]]]] = {}
        self.rules = ClusterRules()

    def apply_rules(self, records: pd.DataFrame, rules: ClusterRules) -> None:
        self.rules = rules
        ids = records["record_id"].astype("int64").tolist()
        if rules.max_window_gap_days is not None:
            starts = records["start_day"].astype("Float64").tolist()
            ends = records["end_day"].astype("Float64").fillna(records["start_day"]).tolist()
            self.windows = {
                i: (float(s), float(e))
                for i, s, e in zip(ids, starts, ends, strict=True)
                if pd.notna(s)
            }
        if rules.max_age_span is not None:
            ages = pd.to_numeric(records["age"], errors="coerce").tolist()
            self.ages = {i: (a, a) for i, a in zip(ids, ages, strict=True) if pd.notna(a)}
        if rules.one_sex:
            sexes = records["sex"].tolist()
            self.sexes = {
                i: x
                for i, x in zip(ids, sexes, strict=True)
                if isinstance(x, str) and x in ("m", "f")
            }
        if rules.same_entry and self.duplicated:
            repeating = records[records["source"].astype(str).isin(self.duplicated)]
            values = repeating[list(rules.same_entry)].astype("object")
            entries = values.where(values.notna(), None).itertuples(index=False, name=None)
            for i, source, entry in zip(
                repeating["record_id"].astype("int64").tolist(),
                repeating["source"].astype(str),
                entries,
                strict=True,
            ):
                self.entries[i] = {source: {entry}}

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
        if not by_person and self.entries and self._two_entries_of_one_source(root_a, root_b):
            return False
        merged = self._merged_attributes(root_a, root_b)
        if merged is None and not by_person:
            return False
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        for table, value in zip((self.windows, self.ages, self.sexes), merged or (), strict=False):
            if value is not None:
                table[root_a] = value  # type: ignore[index]
        self.parent[root_b] = root_a
        self.members[root_a].extend(self.members.pop(root_b))
        self.sources[root_a] |= self.sources.pop(root_b)
        moved = self.entries.pop(root_b, None) if self.entries else None
        if moved:
            kept = self.entries.setdefault(root_a, {})
            for source, entries in moved.items():
                kept.setdefault(source, set()).update(entries)
        return True

    def _forbidden_between(self, root_a: int, root_b: int) -> bool:
        if not self.forbidden:
            return False
        small, large = sorted((root_a, root_b), key=lambda r: len(self.members[r]))
        large_members = set(self.members[large])
        return any(
            not self.forbidden.get(m, set()).isdisjoint(large_members) for m in self.members[small]
        )

    def _merged_attributes(self, root_a: int, root_b: int) -> tuple | None:
        """(window, ages, sex) of the joined cluster, or None if the rules forbid it."""
        rules = self.rules
        window = _joined(self.windows.get(root_a), self.windows.get(root_b), max, min)
        if window and rules.max_window_gap_days is not None:
            too_far = window[0] - window[1] > rules.max_window_gap_days
            if too_far:
                return None
        ages = _joined(self.ages.get(root_a), self.ages.get(root_b), min, max)
        if ages and rules.max_age_span is not None and ages[1] - ages[0] > rules.max_age_span:
            return None
        sex_a, sex_b = self.sexes.get(root_a), self.sexes.get(root_b)
        if sex_a and sex_b and sex_a != sex_b:
            return None
        return window, ages, sex_a or sex_b

    def _two_entries_of_one_source(self, root_a: int, root_b: int) -> bool:
        """Would the join bring a new entry of a source that repeats itself to a cluster that
        holds another of its entries? (A person's verdict may have put two entries of it in
        one cluster: a copy of either still joins.)"""
        entries_a, entries_b = self.entries.get(root_a), self.entries.get(root_b)
        if entries_a is None or entries_b is None:
            return False
        for source, held in entries_a.items():
            other = entries_b.get(source)
            if other is not None and not (held <= other or other <= held):
                return True
        return False

    def _share_a_source(self, root_a: int, root_b: int) -> bool:
        shared = self.sources[root_a] & self.sources[root_b]
        return bool(shared - self.duplicated)
