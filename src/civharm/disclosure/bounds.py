"""Exact integer bounds of a withheld cell given everything else a release shows.

The attacker's model (docs/disclosure.md): non-negative integer atoms, every shown cell an
equality, every withheld cell and every non-empty hidden cell at least 1 (a hidden cell is
never an equality: it is not shown). Linear programmes (HiGHS) first; an integer point
(a witness) proves that a value is reachable; the full mixed-integer programme runs only when
neither settles the question. Never decides what to publish.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# scipy.optimize is imported in the methods that solve: at module level it was 0.3 s of the
# start of every command and page that imports the disclosure audit, solving or not.
from civharm.disclosure.cross_classification import CrossClassification

INTEGRAL = 1e-6  # an LP value this close to an integer is that integer
LP_OPTIONS = {"presolve": False}  # these LPs are small and dense in structure: presolve costs more


@dataclass(frozen=True)
class Optimum:
    """One side of a cell's LP range. `exact` when an integer point attains it; `binding`
    are the shown rows whose equality held the optimum (non-zero duals)."""

    value: float  # +inf when unbounded above
    exact: bool
    binding: tuple[int, ...] = ()


class AttackerModel:
    """The feasible set of atom values an attacker cannot rule out."""

    def __init__(
        self,
        cross: CrossClassification,
        suppressed: Collection[int],
        *,
        withheld_are_positive: bool = True,
        known_points: list[np.ndarray] | None = None,
    ) -> None:
        self.cross = cross
        withheld = set(suppressed)
        shown = [
            row
            for row in range(len(cross.cells))
            if row not in withheld and row not in cross.hidden and cross.has_atoms(row)
        ]
        self.truth = cross.atom_values.astype(np.float64)
        self.shown_rows = np.array(shown, dtype=np.int64)
        self.equalities = cross.incidence[self.shown_rows]
        self.targets = cross.cell_values[self.shown_rows].astype(np.float64)
        positive = sorted(withheld) if withheld_are_positive else []
        # `positive` (withheld cells) also says which atoms a witness may move; `at_least_one`
        # adds the non-empty hidden cells, which the attacker is assumed to know occur.
        self.positive = cross.incidence[np.array(positive, dtype=np.int64)]
        occurring = sorted(row for row in cross.hidden if cross.cell_values[row] > 0)
        self.at_least_one = cross.incidence[np.array(positive + occurring, dtype=np.int64)]
        # Integer points found so far. Withholding more cells only widens the feasible set,
        # so a point found for an earlier model stays feasible: share the list between them.
        self.known_points = known_points if known_points is not None else [self.truth]

    def objective(self, row: int) -> np.ndarray:
        return self.cross.incidence[row].toarray().ravel()

    def true_value(self, row: int) -> int:
        return int(self.cross.cell_values[row])

    def lp(self, row: int, *, maximise: bool) -> Optimum:
        from scipy.optimize import linprog

        objective = self.objective(row)
        has_rows = self.at_least_one.shape[0] > 0
        result = linprog(
            -objective if maximise else objective,
            A_eq=self.equalities if self.equalities.shape[0] else None,
            b_eq=self.targets if self.equalities.shape[0] else None,
            A_ub=-self.at_least_one if has_rows else None,
            b_ub=-np.ones(self.at_least_one.shape[0]) if has_rows else None,
            bounds=(0, None),
            method="highs",
            options=LP_OPTIONS,
        )
        if result.status == 3:
            return Optimum(math.inf, True)
        if result.status != 0:
            raise RuntimeError(f"the bounds LP failed: {result.message}")
        value = float(-result.fun if maximise else result.fun)
        exact = _is_integral(result.x)
        if exact:
            self.known_points.append(np.rint(result.x))
        return Optimum(value, exact, self._binding(result))

    def _binding(self, result: object) -> tuple[int, ...]:
        marginals = getattr(getattr(result, "eqlin", None), "marginals", None)
        if marginals is None or len(marginals) == 0:
            return ()
        return tuple(int(self.shown_rows[i]) for i in np.flatnonzero(np.abs(marginals) > INTEGRAL))

    def witness(self, row: int, *, at_least: int | None = None, at_most: int | None = None) -> bool:
        """True when an integer point of the model has the cell >= at_least (or <= at_most):
        the LP point nearest the truth, else a small integer programme around it. False
        means "not found", which is a proof of impossibility only when the LP is infeasible."""
        if self.known(row, at_least=at_least, at_most=at_most):
            return True
        nearest = self._nearest_point(row, at_least, at_most)
        if nearest is None:
            return False
        if _is_integral(nearest):
            self.known_points.append(np.rint(nearest))
            return True
        moved = np.abs(nearest - self.truth) > INTEGRAL
        # An integer move usually needs more atoms than the LP point moved: first those of the
        # withheld cells it touched, then those of every withheld cell.
        touched = np.asarray(self.positive[:, moved].sum(axis=1)).ravel() > 0
        for cells in (touched, np.ones(self.positive.shape[0], dtype=bool)):
            near = np.asarray(self.positive[cells].sum(axis=0)).ravel() > 0
            if self._integer_point_moving(np.flatnonzero(moved | near), row, at_least, at_most):
                return True
        return False

    def _nearest_point(
        self, row: int, at_least: int | None, at_most: int | None
    ) -> np.ndarray | None:
        """The LP point reaching the bound with the least total change from the truth
        (x = truth + up - down): it moves few atoms, so the integer search around it is small."""
        from scipy.optimize import linprog

        size = self.truth.shape[0]
        rows, limits = self._inequality_rows(self.objective(row), at_least, at_most)
        result = linprog(
            np.ones(2 * size),
            A_eq=sparse.hstack([self.equalities, -self.equalities])
            if self.equalities.shape[0]
            else None,
            b_eq=np.zeros(self.equalities.shape[0]) if self.equalities.shape[0] else None,
            A_ub=sparse.hstack([rows, -rows]),
            b_ub=limits - rows @ self.truth,
            bounds=[(0, None)] * size + [(0, value) for value in self.truth],
            method="highs",
            options=LP_OPTIONS,
        )
        if result.status != 0:
            return None
        return self.truth + result.x[:size] - result.x[size:]

    def _inequality_rows(
        self, objective: np.ndarray, at_least: int | None, at_most: int | None
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """`rows @ x <= limits`: withheld and non-empty hidden cells >= 1, and the cell's
        wanted side."""
        blocks = [-self.at_least_one]
        limits = [-np.ones(self.at_least_one.shape[0])]
        if at_least is not None:
            blocks.append(sparse.csr_matrix(-objective))
            limits.append(np.array([-float(at_least)]))
        if at_most is not None:
            blocks.append(sparse.csr_matrix(objective))
            limits.append(np.array([float(at_most)]))
        return sparse.csr_matrix(sparse.vstack(blocks)), np.concatenate(limits)

    def _integer_point_moving(
        self, moved: np.ndarray, row: int, at_least: int | None, at_most: int | None
    ) -> bool:
        """Is there an integer point that changes only the atoms in `moved`?"""
        from scipy.optimize import Bounds, LinearConstraint, milp

        rows, limits = self._inequality_rows(self.objective(row), at_least, at_most)
        fixed = self.truth.copy()
        fixed[moved] = 0.0
        constraints = [LinearConstraint(rows[:, moved], -np.inf, limits - rows @ fixed)]
        if self.equalities.shape[0]:
            kept = self.equalities[:, moved] @ self.truth[moved]
            constraints.append(LinearConstraint(self.equalities[:, moved], kept, kept))
        result = milp(
            np.zeros(moved.shape[0]),
            constraints=constraints,
            integrality=np.ones(moved.shape[0]),
            bounds=Bounds(0, np.inf),
        )
        if result.status != 0:
            return False
        point = self.truth.copy()
        point[moved] = np.rint(result.x)
        self.known_points.append(point)
        return True

    def known(self, row: int, *, at_least: int | None = None, at_most: int | None = None) -> bool:
        """Does an integer point found earlier already reach the wanted side?"""
        cell = self.cross.incidence[row]
        for point in self.known_points:
            value = float((cell @ point)[0])
            if (at_least is None or value >= at_least - INTEGRAL) and (
                at_most is None or value <= at_most + INTEGRAL
            ):
                return True
        return False

    def integer(self, row: int, *, maximise: bool) -> float:
        """The exact integer optimum by the full MILP; inf when unbounded above."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        objective = self.objective(row)
        constraints = []
        if self.equalities.shape[0]:
            constraints.append(LinearConstraint(self.equalities, self.targets, self.targets))
        if self.at_least_one.shape[0]:
            constraints.append(LinearConstraint(self.at_least_one, 1, np.inf))
        result = milp(
            -objective if maximise else objective,
            constraints=constraints,
            integrality=np.ones(objective.shape[0]),
            bounds=Bounds(0, np.inf),
        )
        if result.status == 0:
            return float(round(-result.fun if maximise else result.fun))
        if maximise and result.status == 3:
            return math.inf
        raise RuntimeError(f"the bounds MILP failed: {result.message}")

    def exact_bound(self, row: int, *, maximise: bool) -> float:
        """The integer optimum: the LP's, rounded, when an integer point attains it (the
        truth, an integral LP vertex, or a witness), else the full MILP."""
        relaxed = self.lp(row, maximise=maximise)
        if math.isinf(relaxed.value):
            return math.inf
        rounded = (
            math.floor(relaxed.value + INTEGRAL)
            if maximise
            else math.ceil(relaxed.value - INTEGRAL)
        )
        if relaxed.exact or rounded == self.true_value(row):
            return float(rounded)
        found = (
            self.witness(row, at_least=rounded) if maximise else self.witness(row, at_most=rounded)
        )
        return float(rounded) if found else self.integer(row, maximise=maximise)

    def interval(self, row: int) -> tuple[int, float]:
        return int(self.exact_bound(row, maximise=False)), self.exact_bound(row, maximise=True)


def _is_integral(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.rint(values)) < INTEGRAL))


def hidden_criterion_holds(high: float, value: int, threshold: int) -> bool:
    """The criterion for a hidden cell (never shown): a small one could be the threshold or
    more. A hidden cell that is 0 or not small may be worked out: it says nothing small."""
    return not 1 <= value < threshold or high >= threshold


def criterion_holds(low: float, high: float, value: int, threshold: int) -> bool:
    """The protection criterion of docs/disclosure.md for one withheld cell: it cannot be
    worked out exactly, and a small cell cannot be pinned inside 1 .. threshold-1."""
    if not low < high:
        return False
    if 1 <= value < threshold:
        return low == 0 or high >= threshold
    return True
