"""Records folded into atoms (the finest cross-classification) and the cell-by-atom matrix.

Every published cell is a sum of atoms; the audit reasons over atoms only. A record's value of
a dimension may be several values (several alleged actors): it then counts once in each, and
the table's *hidden cells* (keyed by the exact set of values) are added as rows that are never
published but must be protected too. Never keeps a record: only atom totals leave this module.
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

# A hidden cell lives in a table of its own, named after the published one with this suffix,
# so that its key ("fama+jnim", or "fama" for fama alone) never collides with a published key.
HIDDEN_SUFFIX = " [exact sets]"
NO_VALUE = "∅"  # the exact set of a record with no value on a multi-valued dimension


@dataclass(frozen=True)
class CrossClassification:
    """Rows are the listed cells of every table, columns the distinct atoms.

    `incidence[r, a]` is 1 when atom a counts in cell r; `cell_values = incidence @
    atom_values`. Cells listed only because of `categories` have no atom (value 0).
    `hidden` rows are the partition cells of tables over a multi-valued dimension
    (docs/disclosure.md, "Several values per record"): never published, never shown.
    """

    cells: tuple[CellId, ...]
    incidence: sparse.csr_matrix
    atom_values: np.ndarray
    cell_values: np.ndarray
    hidden: frozenset[int] = frozenset()

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

    def table_of(self, row: int) -> str:
        """The published table a row belongs to (a hidden cell: the table it partitions)."""
        return self.cells[row][0].removesuffix(HIDDEN_SUFFIX)


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
    if any(name.endswith(HIDDEN_SUFFIX) for name in names):
        raise DisclosureError(f"a table name cannot end with {HIDDEN_SUFFIX!r}: {names}")
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
    multi = multi_valued_dimensions(atoms, dimensions)
    cell_rows: dict[CellId, int] = {}
    hidden_rows: dict[CellId, int] = {}  # numbered apart, appended after the listed cells
    columns: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for atom, weight in atoms.items():
        rows, hidden = [], []
        for table in tables:
            values = [atom[position[dimension]] for dimension in table.dimensions]
            for key in itertools.product(*values):
                rows.append(cell_rows.setdefault((table.name, key), len(cell_rows)))
            for cell in hidden_cells_of(atom, table, position, multi):
                hidden.append(hidden_rows.setdefault(cell, len(hidden_rows)))
        # atoms in exactly the same cells (hidden ones included) are one atom
        signature = (tuple(sorted(rows)), tuple(sorted(hidden)))
        columns[signature] = columns.get(signature, 0) + weight
    for table in tables:  # a grand total is listed even when nothing falls in it
        if not table.dimensions:
            cell_rows.setdefault((table.name, ()), len(cell_rows))
    _list_category_cells(cell_rows, tables, categories or {})
    return _assemble(cell_rows, hidden_rows, columns)


def multi_valued_dimensions(
    atoms: Mapping[tuple[tuple[str, ...], ...], int], dimensions: tuple[str, ...]
) -> frozenset[str]:
    """Dimensions on which some record has several values, or none: either way the table's
    cells no longer add up to what its records are, and a total beside them would give the
    difference (a joint count, or the number with no value) away."""
    return frozenset(
        dimension
        for index, dimension in enumerate(dimensions)
        if any(len(atom[index]) != 1 for atom in atoms)
    )


def hidden_cells_of(
    atom: tuple[tuple[str, ...], ...],
    table: TableSpec,
    position: Mapping[str, int],
    multi: frozenset[str],
) -> list[CellId]:
    """The hidden cell(s) an atom falls in: the table keyed by the exact set of values of
    each multi-valued dimension, and by the value of each other dimension as usual. Nothing
    for a table over no multi-valued dimension (its cells already partition the records)."""
    if not multi.intersection(table.dimensions):
        return []
    values = [
        (exact_set_key(atom[position[dimension]]),)
        if dimension in multi
        else atom[position[dimension]]
        for dimension in table.dimensions
    ]
    return [(table.name + HIDDEN_SUFFIX, key) for key in itertools.product(*values)]


def exact_set_key(values: tuple[str, ...]) -> str:
    """The key of an exact set: "fama+jnim" for both, "fama" for fama alone, NO_VALUE for
    none. A "+", "\\" or NO_VALUE inside a value is escaped: two sets never share a key."""
    if not values:
        return NO_VALUE
    escaped = [
        value.replace("\\", "\\\\").replace("+", "\\+").replace(NO_VALUE, "\\" + NO_VALUE)
        for value in values
    ]
    return "+".join(escaped)


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
    cell_rows: dict[CellId, int],
    hidden_rows: dict[CellId, int],
    columns: dict[tuple[tuple[int, ...], tuple[int, ...]], int],
) -> CrossClassification:
    listed = len(cell_rows)
    row_index: list[int] = []
    column_index: list[int] = []
    for column, (rows, hidden_of_atom) in enumerate(columns):
        row_index.extend(rows)
        row_index.extend(listed + row for row in hidden_of_atom)
        column_index.extend([column] * (len(rows) + len(hidden_of_atom)))
    shape = (listed + len(hidden_rows), len(columns))
    ones = np.ones(len(row_index), dtype=np.float64)
    incidence = sparse.csr_matrix((ones, (row_index, column_index)), shape=shape)
    atom_values = np.fromiter(columns.values(), dtype=np.int64, count=len(columns))
    cell_values = np.rint(incidence @ atom_values.astype(np.float64)).astype(np.int64)
    cells = (*cell_rows, *hidden_rows)
    hidden = frozenset(range(listed, listed + len(hidden_rows)))
    return CrossClassification(cells, incidence, atom_values, cell_values, hidden)
