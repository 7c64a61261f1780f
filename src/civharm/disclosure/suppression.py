"""Small-cell (primary) and secondary suppression of every table of one release together.

Greedy: withhold the small cells, then, while some withheld cell or small hidden cell (the
exact-set cells of a multi-valued dimension) fails the protection criterion, withhold the
cheapest complement that holds its bound. Never shows a count in 1 .. threshold-1, never
publishes a hidden cell and never returns the true value of a withheld cell.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from civharm.disclosure.bounds import INTEGRAL, AttackerModel
from civharm.disclosure.cross_classification import (
    CellId,
    CrossClassification,
    build_cross_classification,
)
from civharm.disclosure.tables import (
    PRIMARY,
    SECONDARY,
    SHOWN,
    DisclosureError,
    ProtectedCell,
    ProtectedRelease,
    ProtectedTable,
    TableSpec,
)


@dataclass(frozen=True)
class Verdict:
    protected: bool
    binding: tuple[int, ...] = ()  # shown rows that held the failing bound (LP duals)


def protect_counts(
    records: Iterable[Mapping[str, object]],
    tables: Sequence[TableSpec],
    *,
    measure: str | None = None,
    threshold: int = 5,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> ProtectedRelease:
    """Counts (or sums of `measure`) for every table, with small cells and their
    complements withheld so that the release as a whole passes the audit."""
    if threshold < 1:
        raise DisclosureError(f"the threshold must be at least 1, got {threshold}")
    cross = build_cross_classification(records, tables, measure=measure, categories=categories)
    primary = {row for row in small_cells(cross, threshold) if row not in cross.hidden}
    secondary = choose_secondary_suppressions(cross, primary, threshold)
    return _release(cross, tables, primary, secondary, threshold, categories or {})


def small_cells(cross: CrossClassification, threshold: int) -> list[int]:
    """Rows (listed or hidden) whose value is in 1 .. threshold-1."""
    return [row for row, value in enumerate(cross.cell_values) if 1 <= value < threshold]


def choose_secondary_suppressions(
    cross: CrossClassification, primary: set[int], threshold: int
) -> set[int]:
    """Rows to withhold besides the small ones, until every withheld cell and every small
    hidden cell passes. Withholding more only widens every range (one fewer equality; the
    new cell is >= 1, which it already was), so a cell that passed stays passed and each
    cell is checked until it passes once."""
    withheld = set(primary)
    hidden_small = [row for row in small_cells(cross, threshold) if row in cross.hidden]
    pending = deque(sorted(primary) + hidden_small)
    points = [cross.atom_values.astype(float)]
    model = AttackerModel(cross, withheld, known_points=points)
    while pending:
        row = pending[0]
        verdict = check_cell(model, row, int(cross.cell_values[row]), threshold)
        if verdict.protected:
            pending.popleft()
            continue
        complement = cheapest_complement(cross, withheld, row, verdict.binding, threshold)
        if complement is None:  # cannot happen (all withheld is always safe); stay safe anyway
            withheld.update(_all_nonzero(cross))
            break
        withheld.add(complement)
        pending.append(complement)
        model = AttackerModel(cross, withheld, known_points=points)
    return withheld - primary


def check_cell(model: AttackerModel, row: int, value: int, threshold: int) -> Verdict:
    """The criterion, proved by an integer point (an integral LP optimum or a witness). An
    LP optimum on the wrong side proves failure (the LP range contains the integer range);
    a witness not found counts as failure too, which only costs an extra suppression."""
    if 1 <= value < threshold:
        return _reaches_threshold(model, row, threshold)
    if model.known(row, at_least=value + 1) or model.known(row, at_most=value - 1):
        return Verdict(True)
    upper = model.lp(row, maximise=True)
    if upper.value > value + INTEGRAL and (
        upper.exact or math.isinf(upper.value) or model.witness(row, at_least=value + 1)
    ):
        return Verdict(True)
    lower = model.lp(row, maximise=False)
    if lower.value < value - INTEGRAL and (lower.exact or model.witness(row, at_most=value - 1)):
        return Verdict(True)
    return Verdict(False, upper.binding + lower.binding)


def _reaches_threshold(model: AttackerModel, row: int, threshold: int) -> Verdict:
    """A withheld small cell is >= 1 in the attacker's model, so it is protected exactly
    when it could be as large as the threshold."""
    if model.known(row, at_least=threshold):
        return Verdict(True)
    upper = model.lp(row, maximise=True)
    if upper.value < threshold - INTEGRAL:
        return Verdict(False, upper.binding)
    if upper.exact or math.isinf(upper.value) or model.witness(row, at_least=threshold):
        return Verdict(True)
    return Verdict(False, upper.binding)


def cheapest_complement(
    cross: CrossClassification,
    withheld: set[int],
    target: int,
    binding: tuple[int, ...],
    threshold: int,
) -> int | None:
    """The shown non-zero cell that costs least to withhold: one whose equality held the
    target's bound, in the target's table, on the most lines that already have a withheld
    cell (so that withheld cells close rectangles rather than spread), large enough to
    cover the gap to the threshold, then the smallest."""
    candidates = [
        row
        for row in range(len(cross.cells))
        if row not in withheld and row not in cross.hidden and cross.cell_values[row] > 0
    ]
    if not candidates:
        return None
    holding = set(binding)
    value = int(cross.cell_values[target])
    gap = threshold - value if value < threshold else 1
    table = cross.table_of(target)
    withheld_lines = {line for row in withheld for line in _lines(cross.cells[row])}

    def cost(row: int) -> tuple[int, int, int, int, int, int]:
        candidate_value = int(cross.cell_values[row])
        return (
            0 if row in holding else 1,
            0 if cross.cells[row][0] == table else 1,
            -len(withheld_lines.intersection(_lines(cross.cells[row]))),
            0 if candidate_value >= gap else 1,
            candidate_value,
            row,
        )

    return min(candidates, key=cost)


def _lines(cell: CellId) -> list[tuple[str, int, tuple[str, ...]]]:
    """The lines through a cell: its table with one coordinate left free."""
    table, key = cell
    return [(table, position, key[:position] + key[position + 1 :]) for position in range(len(key))]


def _all_nonzero(cross: CrossClassification) -> set[int]:
    return {
        row for row, value in enumerate(cross.cell_values) if value > 0 and row not in cross.hidden
    }


def _release(
    cross: CrossClassification,
    tables: Sequence[TableSpec],
    primary: set[int],
    secondary: set[int],
    threshold: int,
    categories: Mapping[str, Sequence[str]],
) -> ProtectedRelease:
    cells: dict[str, list[ProtectedCell]] = {table.name: [] for table in tables}
    for row, (name, key) in enumerate(cross.cells):
        if row in cross.hidden:  # never published
            continue
        status = PRIMARY if row in primary else SECONDARY if row in secondary else SHOWN
        value = int(cross.cell_values[row]) if status == SHOWN else None
        cells[name].append(ProtectedCell(key, value, status))
    protected = {
        table.name: ProtectedTable(
            table, tuple(sorted(cells[table.name], key=_ordering(table, categories)))
        )
        for table in tables
    }
    return ProtectedRelease(threshold, protected)


CellOrder = Callable[[ProtectedCell], tuple[tuple[int, str], ...]]


def _ordering(table: TableSpec, categories: Mapping[str, Sequence[str]]) -> CellOrder:
    """Cells in the order of the categories where given, then alphabetically."""
    orders = [
        {str(value): index for index, value in enumerate(categories.get(dimension, ()))}
        for dimension in table.dimensions
    ]

    def position(cell: ProtectedCell) -> tuple[tuple[int, str], ...]:
        return tuple(
            (order.get(value, len(order)), value)
            for order, value in zip(orders, cell.key, strict=True)
        )

    return position
