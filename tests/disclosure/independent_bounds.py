"""An independent check of a release, written from the published tables only: what could an
attacker work out about each withheld cell? Deliberately shares no code with civharm.disclosure
(own atoms, own constraints, the full integer programme or plain enumeration, no shortcuts).

Hidden cells (docs/disclosure.md, "Several values per record"): for a table over a dimension on
which some record has several values, the same table keyed by the exact set of values ("a+b",
"a" alone, "∅" for none) in a table named "<table> [exact sets]". Never shown; the attacker is
taken to know which of them are non-empty (>= 1), as the package assumes.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def values_of(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (tuple, list, set, frozenset)):
        return sorted({str(member) for member in value})
    return [str(value)]


def atoms_of(records, dimensions, measure=None):
    """Distinct combinations of the records' values -> summed weight."""
    atoms: dict[tuple, int] = {}
    for record in records:
        signature = tuple(frozenset(values_of(record.get(name))) for name in dimensions)
        weight = 1 if measure is None else int(record.get(measure) or 0)
        atoms[signature] = atoms.get(signature, 0) + weight
    return atoms


def counts_in(atom: tuple, dimensions: list[str], table_dimensions: tuple, key: tuple) -> bool:
    return all(key[i] in atom[dimensions.index(name)] for i, name in enumerate(table_dimensions))


def published_constraints(release, atoms, dimensions):
    """(coefficients, value or None) per listed cell; cells of a table that are not listed
    and hold atoms are zero (a reader reads an absent cell as nothing)."""
    atom_list = list(atoms)
    rows = []
    for table in release.tables.values():
        listed = {cell.key for cell in table.cells}
        for cell in table.cells:
            coefficients = [
                1 if counts_in(a, dimensions, table.spec.dimensions, cell.key) else 0
                for a in atom_list
            ]
            rows.append((coefficients, cell.value, cell.key, table.spec.name))
        for atom in atom_list:
            for key in itertools.product(
                *(sorted(atom[dimensions.index(d)]) for d in table.spec.dimensions)
            ):
                assert key in listed, f"{table.spec.name} {key} holds records but is not listed"
    return atom_list, rows


def exact_set(members: frozenset) -> str:
    return "+".join(sorted(members)) if members else "∅"


def hidden_cells(release, atoms, dimensions):
    """(coefficients, key, table name) of every hidden cell that holds an atom."""
    atom_list = list(atoms)
    # several values, or none: the table no longer adds up to its records
    multi = {d for i, d in enumerate(dimensions) if any(len(a[i]) != 1 for a in atom_list)}
    cells: dict[tuple, list[int]] = {}
    for table in release.tables.values():
        if not multi & set(table.spec.dimensions):
            continue
        for column, atom in enumerate(atom_list):
            choices = [
                [exact_set(atom[dimensions.index(d)])]
                if d in multi
                else sorted(atom[dimensions.index(d)])
                for d in table.spec.dimensions
            ]
            for key in itertools.product(*choices):
                name = table.spec.name + " [exact sets]"
                cells.setdefault((name, key), [0] * len(atom_list))[column] = 1
    return [(coefficients, key, name) for (name, key), coefficients in cells.items()]


def independent_bounds(records, release, measure=None) -> dict[tuple, tuple[float, float]]:
    """Exact [low, high] of every withheld cell and every hidden cell holding records."""
    dimensions = sorted({d for t in release.tables.values() for d in t.spec.dimensions})
    atoms = atoms_of(records, dimensions, measure)
    atom_list, rows = published_constraints(release, atoms, dimensions)
    weights = [atoms[a] for a in atom_list]
    withheld = [(c, key, name) for c, value, key, name in rows if value is None]
    positive = all(np.dot(c, weights) > 0 for c, _k, _n in withheld)
    hidden = hidden_cells(release, atoms, dimensions)
    constraints = []
    shown = [(c, value) for c, value, _key, _name in rows if value is not None and any(c)]
    if shown:
        matrix = np.array([c for c, _v in shown], dtype=float)
        target = np.array([v for _c, v in shown], dtype=float)
        constraints.append(LinearConstraint(matrix, target, target))
    at_least_one = [c for c, _k, _n in withheld] if positive else []
    at_least_one += [c for c, _k, _n in hidden if np.dot(c, weights) > 0]
    if at_least_one:
        constraints.append(LinearConstraint(np.array(at_least_one, dtype=float), 1, np.inf))
    bounds = {}
    for coefficients, key, name in withheld + hidden:
        objective = np.array(coefficients, dtype=float)
        low = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(len(atom_list)),
            bounds=Bounds(0, np.inf),
        )
        high = milp(
            -objective,
            constraints=constraints,
            integrality=np.ones(len(atom_list)),
            bounds=Bounds(0, np.inf),
        )
        assert low.status == 0, low.message
        if high.status != 0:  # HiGHS may say "infeasible or unbounded": the truth is feasible
            assert high.status in (3, 4), high.message
            high_value = math.inf
        else:
            high_value = -high.fun
        bounds[(name, key)] = (
            round(low.fun),
            high_value if math.isinf(high_value) else round(high_value),
        )
    return bounds


def enumerate_bounds(
    atom_values: dict[str, int],
    shown: list[tuple[set[str], int]],
    withheld: dict[str, set[str]],
    limit: int,
):
    """Plain enumeration for hand-worked cases: every atom from 0 to `limit`, keep the
    assignments that reproduce the shown cells and leave withheld cells >= 1."""
    names = list(atom_values)
    found: dict[str, list[int]] = {cell: [] for cell in withheld}
    for assignment in itertools.product(range(limit + 1), repeat=len(names)):
        value = dict(zip(names, assignment, strict=True))
        if any(sum(value[a] for a in atoms) != total for atoms, total in shown):
            continue
        sums = {cell: sum(value[a] for a in atoms) for cell, atoms in withheld.items()}
        if any(total < 1 for total in sums.values()):
            continue
        for cell, total in sums.items():
            found[cell].append(total)
    return {cell: (min(seen), max(seen)) for cell, seen in found.items()}


def hidden_criterion_holds(high, value, k) -> bool:
    """A hidden cell is never shown: a small one must be able to reach k."""
    return not 1 <= value < k or high >= k


def criterion_holds(low, high, value, k) -> bool:
    if not low < high:
        return False
    return not 1 <= value < k or low == 0 or high >= k
