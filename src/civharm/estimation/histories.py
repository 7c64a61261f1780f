"""Capture histories: which lists name each documented person, as a table of patterns and counts.

The all-zero pattern (people no list names) is what estimation is for, so it never appears.
Built from linked persons' list memberships or read from a CSV (one 0/1 column per list and
a count column). Never holds a person's identity.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civharm.core.i18n import _

MAX_LISTS = 15
COUNT_COLUMNS = ("count", "counts", "freq", "frequency", "n", "nombre", "effectif")


class HistoriesError(ValueError):
    """A capture-history table that cannot be read; the message names the file, row, column."""


@dataclass(frozen=True)
class CaptureHistories:
    """`patterns` is (k, J) of 0/1 (unique, never all zero); `counts` the people with each."""

    lists: tuple[str, ...]
    patterns: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        if self.patterns.ndim != 2 or self.patterns.shape[1] != len(self.lists):
            raise HistoriesError(_("Capture patterns and list names do not match."))
        if len(self.lists) > MAX_LISTS:
            raise HistoriesError(
                _("At most {n} lists can be used; there are {count}.").format(
                    n=MAX_LISTS, count=len(self.lists)
                )
            )

    @classmethod
    def from_memberships(
        cls, memberships: Iterable[Iterable[str]], lists: Iterable[str] | None = None
    ) -> CaptureHistories:
        """One entry per documented person: the names of the lists that name them."""
        seen = Counter(frozenset(m) for m in memberships)
        seen.pop(frozenset(), None)
        names = tuple(sorted(set(lists) if lists is not None else set().union(*seen) or ()))
        index = {name: j for j, name in enumerate(names)}
        patterns = np.zeros((len(seen), len(names)), dtype=np.uint8)
        counts = np.zeros(len(seen), dtype=np.int64)
        for row, (members, count) in enumerate(sorted(seen.items(), key=lambda i: sorted(i[0]))):
            for name in members:
                patterns[row, index[name]] = 1
            counts[row] = count
        return cls._merged(names, patterns, counts)

    @classmethod
    def from_table(
        cls, lists: Iterable[str], patterns: Iterable[Iterable[int]], counts: Iterable[int]
    ) -> CaptureHistories:
        names = tuple(lists)
        array = np.asarray(list(map(list, patterns)), dtype=np.uint8).reshape(-1, len(names))
        return cls._merged(names, array, np.asarray(list(counts), dtype=np.int64))

    @classmethod
    def _merged(cls, lists: tuple[str, ...], patterns: np.ndarray, counts: np.ndarray):
        """Sum repeated patterns; drop the all-zero pattern and empty cells."""
        keep = (patterns.sum(axis=1) > 0) & (counts > 0)
        patterns, counts = patterns[keep], counts[keep]
        if len(patterns) == 0:
            return cls(lists, np.zeros((0, len(lists)), dtype=np.uint8), counts[:0])
        unique, inverse = np.unique(patterns, axis=0, return_inverse=True)
        summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(unique))
        return cls(lists, unique.astype(np.uint8), summed.astype(np.int64))

    @property
    def documented(self) -> int:
        return int(self.counts.sum())

    @property
    def list_sizes(self) -> dict[str, int]:
        sizes = (self.patterns * self.counts[:, None]).sum(axis=0)
        return {name: int(size) for name, size in zip(self.lists, sizes, strict=True)}

    def full_table(self) -> tuple[np.ndarray, np.ndarray]:
        """All 2**J - 1 observable patterns (rows of 0/1) and their counts, zeros included."""
        n_lists = len(self.lists)
        codes = np.arange(1, 2**n_lists, dtype=np.int64)
        patterns = ((codes[:, None] >> np.arange(n_lists)[::-1]) & 1).astype(np.uint8)
        counts = np.zeros(len(codes), dtype=np.int64)
        if len(self.patterns):
            weights = 1 << np.arange(n_lists)[::-1]
            observed = self.patterns.astype(np.int64) @ weights
            np.add.at(counts, observed - 1, self.counts)
        return patterns, counts

    def without_empty_lists(self) -> CaptureHistories:
        """Lists that name nobody carry no information; they are left out."""
        keep = [j for j, size in enumerate(self.list_sizes.values()) if size > 0]
        lists = tuple(self.lists[j] for j in keep)
        return self._merged(lists, self.patterns[:, keep], self.counts)


def read_histories_csv(path: Path) -> CaptureHistories:
    """One 0/1 column per list and a count column (named count, n, freq, nombre…; else last)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp1252")
    except OSError as error:
        message = _("{file}: cannot be read ({error}).").format(file=path, error=error)
        raise HistoriesError(message) from error
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else "excel"
    rows = list(csv.reader(text.splitlines(), dialect))
    if len(rows) < 2:
        raise HistoriesError(_("{file}: no capture histories in this file.").format(file=path))
    header = [cell.strip() for cell in rows[0]]
    lowered = [cell.lower() for cell in header]
    count_at = next((lowered.index(c) for c in COUNT_COLUMNS if c in lowered), len(header) - 1)
    list_columns = [j for j in range(len(header)) if j != count_at]
    patterns, counts = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        patterns.append([_flag(path, number, header[j], row, j) for j in list_columns])
        counts.append(_count(path, number, header[count_at], row, count_at))
    return CaptureHistories.from_table([header[j] for j in list_columns], patterns, counts)


def _number(path: Path, row_number: int, column: str, row: list[str], at: int) -> float:
    cell = row[at].strip() if at < len(row) else ""
    try:
        return float(cell.replace(",", ".")) if cell else 0.0
    except ValueError:
        raise HistoriesError(
            _("{file}, row {row}, column {column}: {value!r} is not a number.").format(
                file=path.name, row=row_number, column=column, value=cell
            )
        ) from None


def _flag(path: Path, row_number: int, column: str, row: list[str], at: int) -> int:
    value = _number(path, row_number, column, row, at)
    if value not in (0.0, 1.0):
        raise HistoriesError(
            _(
                "{file}, row {row}, column {column}: a list column holds 0 or 1, not {value}."
            ).format(file=path.name, row=row_number, column=column, value=row[at].strip())
        )
    return int(value)


def _count(path: Path, row_number: int, column: str, row: list[str], at: int) -> int:
    value = _number(path, row_number, column, row, at)
    if value < 0 or value != int(value):
        raise HistoriesError(
            _(
                "{file}, row {row}, column {column}: a count is a whole number ≥ 0, not {value}."
            ).format(file=path.name, row=row_number, column=column, value=row[at].strip())
        )
    return int(value)
