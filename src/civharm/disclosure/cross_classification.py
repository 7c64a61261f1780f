"""Records folded into atoms (the finest cross-classification) and the cell-by-atom matrix.

Every published cell is a sum of atoms; the audit reasons over atoms only. A record's value of
a dimension may be several values (several alleged actors): it then counts once in each.
Never keeps a record: only atom totals leave this module.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import sparse

from civharm.disclosure.tables import DisclosureError, TableSpec

CellId = tuple[str, tuple[str, ...]]  # (table name, key)


@dataclass(frozen=True)
class CrossClassification:
    """Rows are the listed cells of every table, columns the distinct atoms.

    `incidence[r, a]` is 1 when atom a counts in cell r; `cell_values = incidence @
    atom_values`. Cells listed only because of `categories` have no atom (value 0).
    """

    cells: tuple[CellId, ...]
    incidence: sparse.csr_matrix
    atom_values: np.ndarray
    cell_values: np.ndarray

    def row(self, cell: CellId) -> int:
        return self._rows()[cell]

    def contains(self, cell: CellId) -> bool:
        return cell in self._rows()

    def _rows(self) -> dict[CellId, int]:
        rows = self.__dict__.get("_row_index")
        if rows is None:
            rows = {cell: position for position, cell in enumerate(self.cells)}
            object.__setattr__(self, "_row_index", rows)
        return rows

    def has_atoms(self, row: int) -> bool:
        return bool(self.incidence.indptr[row + 1] > self.incidence.indptr[row])


def dimension_values(value: object) -> tuple[str, ...]:
    """A record's value of one dimension as the cells it counts in: None counts nowhere,
    a tuple/list/set counts once in each distinct member, anything else in str(value)."""
    if value is None:
        return ()
    if isinstance(value, (tuple, list, set, frozenset)):
        return tuple(sorted({str(member) for member in value if member is not None}))
    return (str(value),)


def record_weight(record: Mapping[str, object], measure: str | None) -> int:
    """1 per record, or its non-negative integer `measure` (missing counts as 0)."""
    if measure is None:
        return 1
    value = record.get(measure)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (Integral, float)):
        raise DisclosureError(f"measure {measure!r} must be a whole number, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise DisclosureError(f"measure {measure!r} must be a whole number, got {value!r}")
    if value < 0:
        raise DisclosureError(f"measure {measure!r} cannot be negative, got {value!r}")
    return int(value)


def used_dimensions(tables: Sequence[TableSpec]) -> tuple[str, ...]:
    names = [table.name for table in tables]
    if len(set(names)) != len(names):
        raise DisclosureError(f"two tables share a name: {names}")
    return tuple(sorted({dimension for table in tables for dimension in table.dimensions}))


def fold_into_atoms(
    records: Iterable[Mapping[str, object]], dimensions: tuple[str, ...], measure: str | None
) -> dict[tuple[tuple[str, ...], ...], int]:
    """Atom (the record's values on every used dimension) -> summed weight."""
    atoms: dict[tuple[tuple[str, ...], ...], int] = {}
    for record in records:
        atom = tuple(dimension_values(record.get(dimension)) for dimension in dimensions)
        atoms[atom] = atoms.get(atom, 0) + record_weight(record, measure)
    return atoms


def build_cross_classification(
    records: Iterable[Mapping[str, object]],
    tables: Sequence[TableSpec],
    *,
    measure: str | None = None,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> CrossClassification:
    dimensions = used_dimensions(tables)
    atoms = fold_into_atoms(records, dimensions, measure)
    position = {dimension: index for index, dimension in enumerate(dimensions)}
    cell_rows: dict[CellId, int] = {}
    columns: dict[tuple[int, ...], int] = {}  # atoms in exactly the same cells are one atom
    for atom, weight in atoms.items():
        rows = []
        for table in tables:
            values = [atom[position[dimension]] for dimension in table.dimensions]
            for key in itertools.product(*values):
                rows.append(cell_rows.setdefault((table.name, key), len(cell_rows)))
        signature = tuple(sorted(rows))
        columns[signature] = columns.get(signature, 0) + weight
    for table in tables:  # a grand total is listed even when nothing falls in it
        if not table.dimensions:
            cell_rows.setdefault((table.name, ()), len(cell_rows))
    _list_category_cells(cell_rows, tables, categories or {})
    return _assemble(cell_rows, columns)


def _list_category_cells(
    cell_rows: dict[CellId, int],
    tables: Sequence[TableSpec],
    categories: Mapping[str, Sequence[str]],
) -> None:
    """Cells to show even when nothing falls in them: every combination of the listed
    categories with the values seen, for tables over at least one categorised dimension."""
    for table in tables:
        if not any(dimension in categories for dimension in table.dimensions):
            continue
        seen: list[set[str]] = [set() for _ in table.dimensions]
        for name, key in cell_rows:
            if name == table.name:
                for index, value in enumerate(key):
                    seen[index].add(value)
        universes = [
            sorted(seen[index] | {str(value) for value in categories.get(dimension, ())})
            for index, dimension in enumerate(table.dimensions)
        ]
        for key in itertools.product(*universes):
            cell_rows.setdefault((table.name, key), len(cell_rows))


def _assemble(
    cell_rows: dict[CellId, int], columns: dict[tuple[int, ...], int]
) -> CrossClassification:
    row_index: list[int] = []
    column_index: list[int] = []
    for column, signature in enumerate(columns):
        row_index.extend(signature)
        column_index.extend([column] * len(signature))
    shape = (len(cell_rows), len(columns))
    ones = np.ones(len(row_index), dtype=np.float64)
    incidence = sparse.csr_matrix((ones, (row_index, column_index)), shape=shape)
    atom_values = np.fromiter(columns.values(), dtype=np.int64, count=len(columns))
    cell_values = np.rint(incidence @ atom_values.astype(np.float64)).astype(np.int64)
    return CrossClassification(tuple(cell_rows), incidence, atom_values, cell_values)
