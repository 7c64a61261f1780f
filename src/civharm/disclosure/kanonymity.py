"""k-anonymity for record-level extracts: check it, or reach it by generalising then suppressing.

A row is re-identifiable when few rows share its quasi-identifiers (age, date, place…). We
generalise along hierarchies (age -> band -> "*", date -> month -> year -> "*", cercle ->
region -> "*") as little as the data allows, then drop rows still in small groups.
Never returns a row whose group is smaller than k.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from civharm.core.i18n import N_, _

Generaliser = Callable[[object], object]
ANY = "*"
AGE_BANDS = ((0, 4), (5, 11), (12, 17), (18, 29), (30, 44), (45, 59))  # then 60+


@dataclass(frozen=True)
class Hierarchy:
    """Generalisation levels of one quasi-identifier: level 0 keeps the value, the last
    level is "*" (anything)."""

    levels: tuple[Generaliser, ...]

    def generalise(self, value: object, level: int) -> object:
        return self.levels[level](value)


def _keep(value: object) -> object:
    return value


def _anything(value: object) -> object:
    return ANY


def _unless_missing(generaliser: Generaliser) -> Generaliser:
    def generalise(value: object) -> object:
        return None if value is None or value == "" else generaliser(value)

    return generalise


def age_band(value: object) -> object:
    """25 -> "18-29"; a value that is not a whole age (already a band) is kept."""
    try:
        age = int(str(value))
    except ValueError:
        return value
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "60+" if age >= 60 else value


def month_of(value: object) -> object:
    """A date (or ISO text) -> "YYYY-MM"."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value)[:7]


def year_of(value: object) -> object:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"{value.year:04d}"
    return str(value)[:4]


def age_hierarchy() -> Hierarchy:
    return Hierarchy((_keep, _unless_missing(age_band), _anything))


def date_hierarchy() -> Hierarchy:
    return Hierarchy((_keep, _unless_missing(month_of), _unless_missing(year_of), _anything))


def place_hierarchy(cercle_to_region: Mapping[str, str] | None = None) -> Hierarchy:
    """Cercle P-code -> region P-code -> "*". Without a mapping the region is the P-code
    less its last two digits (ML0701 -> ML07); pass the gazetteer's mapping where units
    moved (Ménaka, ML0704, became region ML10 in 2016)."""

    def region(value: object) -> object:
        text = str(value)
        if cercle_to_region is not None and text in cercle_to_region:
            return cercle_to_region[text]
        return text[:-2] if len(text) > 4 else text

    return Hierarchy((_keep, _unless_missing(region), _anything))


DEFAULT_HIERARCHIES: Mapping[str, Hierarchy] = {
    "age": age_hierarchy(),
    "date": date_hierarchy(),
    "cercle": place_hierarchy(),
}
SUPPRESS_ONLY = Hierarchy((_keep, _anything))  # a quasi-identifier with no hierarchy

SMALL_GROUPS_MESSAGE = N_(
    "{rows} rows fall in groups of fewer than {k} people with the same {columns}."
)
ANONYMISED_MESSAGE = N_(
    "Generalised {columns}; {suppressed} rows removed; every group has at least {k} rows."
)


@dataclass(frozen=True)
class KAnonymityReport:
    k: int
    quasi_identifiers: tuple[str, ...]
    rows: int
    classes: int
    smallest_class: int  # 0 when there are no rows
    rows_in_small_classes: int
    levels: Mapping[str, int] = field(default_factory=dict)  # generalisation k_anonymise applied
    suppressed_rows: int = 0

    @property
    def ok(self) -> bool:
        return self.rows_in_small_classes == 0

    @property
    def message(self) -> str:
        """A sentence for people, in the current language (core.i18n)."""
        columns = ", ".join(self.quasi_identifiers)
        if not self.ok:
            return _(SMALL_GROUPS_MESSAGE).format(
                rows=self.rows_in_small_classes, k=self.k, columns=columns
            )
        return _(ANONYMISED_MESSAGE).format(
            columns=columns, suppressed=self.suppressed_rows, k=self.k
        )


def check_k_anonymity(
    rows: Iterable[Mapping[str, object]], quasi_identifiers: Sequence[str], k: int
) -> KAnonymityReport:
    keys = [_key(row, quasi_identifiers) for row in rows]
    sizes = Counter(keys)
    return KAnonymityReport(
        k=k,
        quasi_identifiers=tuple(quasi_identifiers),
        rows=len(keys),
        classes=len(sizes),
        smallest_class=min(sizes.values(), default=0),
        rows_in_small_classes=sum(size for size in sizes.values() if size < k),
    )


def k_anonymise(
    rows: Iterable[Mapping[str, object]],
    quasi_identifiers: Sequence[str],
    k: int,
    hierarchies: Mapping[str, Hierarchy] = DEFAULT_HIERARCHIES,
    *,
    max_suppressed_fraction: float = 0.02,
) -> tuple[list[dict[str, object]], KAnonymityReport]:
    """The least generalisation (fewest levels climbed, then fewest rows dropped) that leaves
    at most `max_suppressed_fraction` of rows in small groups; those rows are dropped."""
    originals = [dict(row) for row in rows]
    chains = [hierarchies.get(name, SUPPRESS_ONLY) for name in quasi_identifiers]
    levels = _least_generalisation(originals, quasi_identifiers, chains, k, max_suppressed_fraction)
    generalised = [_generalise(row, quasi_identifiers, chains, levels) for row in originals]
    sizes = Counter(_key(row, quasi_identifiers) for row in generalised)
    kept = [row for row in generalised if sizes[_key(row, quasi_identifiers)] >= k]
    report = check_k_anonymity(kept, quasi_identifiers, k)
    applied = dict(zip(quasi_identifiers, levels, strict=True))
    return kept, KAnonymityReport(
        **{**report.__dict__, "levels": applied, "suppressed_rows": len(originals) - len(kept)}
    )


def _least_generalisation(
    rows: list[dict[str, object]],
    names: Sequence[str],
    chains: list[Hierarchy],
    k: int,
    max_suppressed_fraction: float,
) -> tuple[int, ...]:
    columns = [
        [
            [chain.generalise(row.get(name), level) for row in rows]
            for level in range(len(chain.levels))
        ]
        for name, chain in zip(names, chains, strict=True)
    ]
    nodes = sorted(
        itertools.product(*(range(len(chain.levels)) for chain in chains)),
        key=lambda node: sum(node),
    )
    allowed = max_suppressed_fraction * len(rows)
    best: tuple[int, tuple[int, ...]] | None = None
    for _height, group in itertools.groupby(nodes, key=sum):
        for node in group:
            keys = [
                tuple(str(columns[i][level][r]) for i, level in enumerate(node))
                for r in range(len(rows))
            ]
            dropped = sum(size for size in Counter(keys).values() if size < k)
            if best is None or dropped < best[0]:
                best = (dropped, node)
        if best is not None and best[0] <= allowed:
            break
    assert best is not None  # the lattice always has at least the ungeneralised node
    return best[1]


def _generalise(
    row: dict[str, object], names: Sequence[str], chains: list[Hierarchy], levels: tuple[int, ...]
) -> dict[str, object]:
    out = dict(row)
    for name, chain, level in zip(names, chains, levels, strict=True):
        out[name] = chain.generalise(row.get(name), level)
    return out


def _key(row: Mapping[str, object], names: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row.get(name)) for name in names)
