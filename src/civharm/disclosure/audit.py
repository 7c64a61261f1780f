"""The audit: what an attacker can work out about each withheld cell of a release.

Recomputes the cells from the records, checks that the release matches them, and bounds every
withheld cell and every hidden cell (the exact-set cells of a multi-valued dimension) exactly
(integer programme over the atoms). Never alters a release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from civharm.disclosure.bounds import AttackerModel, criterion_holds, hidden_criterion_holds
from civharm.disclosure.cross_classification import (
    CellId,
    CrossClassification,
    build_cross_classification,
)
from civharm.disclosure.suppression import check_cell
from civharm.disclosure.tables import SHOWN, ProtectedRelease, UnsafeReleaseError


def audit_release(
    records: Iterable[Mapping[str, object]],
    release: ProtectedRelease,
    *,
    measure: str | None = None,
) -> dict[CellId, tuple[int, float]]:
    """(table, key) of every withheld cell and of every hidden cell holding records -> its
    exact integer range [low, high] (high is inf when unbounded) given everything the
    release shows. A hidden cell's table is the published one's name + HIDDEN_SUFFIX."""
    cross, withheld = _match(records, release, measure)
    positive = all(cross.cell_values[row] > 0 for row in withheld)
    model = AttackerModel(cross, withheld, withheld_are_positive=positive)
    hidden = [row for row in sorted(cross.hidden) if cross.has_atoms(row)]
    return {cross.cells[row]: model.interval(row) for row in [*sorted(withheld), *hidden]}


def assert_release_is_safe(
    records: Iterable[Mapping[str, object]],
    release: ProtectedRelease,
    *,
    measure: str | None = None,
) -> None:
    """Raise UnsafeReleaseError if a shown cell is small, a withheld cell fails the
    protection criterion, or a small hidden cell could not be as large as the threshold
    (docs/disclosure.md)."""
    records = list(records)
    threshold = release.threshold
    problems = [
        f"{table.spec.name} {cell.key}: shows {cell.value}"
        for table in release.tables.values()
        for cell in table.cells
        if cell.status == SHOWN and cell.value is not None and 1 <= cell.value < threshold
    ]
    cross, withheld = _match(records, release, measure)
    positive = all(cross.cell_values[row] > 0 for row in withheld)
    model = AttackerModel(cross, withheld, withheld_are_positive=positive)
    for row in sorted(withheld):
        value = int(cross.cell_values[row])
        if check_cell(model, row, value, threshold).protected:
            continue  # proved by an integer point: no need for the exact range
        low, high = model.interval(row)
        if not criterion_holds(low, high, value, threshold):
            problems.append(f"{cross.cells[row]}: can be narrowed to [{low}, {high}]")
    problems.extend(_unsafe_hidden_cells(model, threshold))
    if problems:
        raise UnsafeReleaseError("; ".join(problems))


def _unsafe_hidden_cells(model: AttackerModel, threshold: int) -> list[str]:
    """Small hidden cells whose largest possible value is below the threshold."""
    cross = model.cross
    problems = []
    for row in sorted(cross.hidden):
        value = int(cross.cell_values[row])
        if not 1 <= value < threshold or check_cell(model, row, value, threshold).protected:
            continue
        high = model.exact_bound(row, maximise=True)
        if not hidden_criterion_holds(high, value, threshold):
            problems.append(f"{cross.cells[row]} (not shown): can be at most {high}")
    return problems


def _match(
    records: Iterable[Mapping[str, object]], release: ProtectedRelease, measure: str | None
) -> tuple[CrossClassification, set[int]]:
    specs = [table.spec for table in release.tables.values()]
    cross = build_cross_classification(records, specs, measure=measure)
    listed: set[CellId] = set()
    withheld: set[int] = set()
    for table in release.tables.values():
        for cell in table.cells:
            cell_id = (table.spec.name, cell.key)
            listed.add(cell_id)
            if not cross.contains(cell_id):
                if cell.status != SHOWN or cell.value != 0:
                    raise UnsafeReleaseError(
                        f"{cell_id}: nothing falls in this cell, it must show 0"
                    )
                continue
            true_value = int(cross.cell_values[cross.row(cell_id)])
            if cell.status != SHOWN:
                withheld.add(cross.row(cell_id))
            elif cell.value != true_value:
                raise UnsafeReleaseError(
                    f"{cell_id}: the release shows {cell.value}, the records give {true_value}"
                )
    missing = [
        cell
        for row, cell in enumerate(cross.cells)
        if cell not in listed and cross.cell_values[row] > 0 and row not in cross.hidden
    ]
    if missing:
        raise UnsafeReleaseError(f"cells with records are missing from the release: {missing[:5]}")
    return cross, withheld
