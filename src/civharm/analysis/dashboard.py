"""The dashboard's aggregate queries, on a DuckDB snapshot of the register (see snapshot.py).

Pure: takes a DuckDB connection (or cursor) and plain values, returns plain dicts; never
imports Django. Every value a user chose travels as a query parameter, never inside the SQL
text. Never returns a record's text, only counts and the codes they are broken down by.

Conventions (docs/analysis.md):
- discounted incidents are left out unless `include_discounted` is set;
- a dimension that is not recorded (no region, no alleged perpetrator, no harm recorded…)
  groups as None in `aggregate` and as "" in `unit_records`;
- an incident with several alleged perpetrators counts once under each of them, so the
  rows of `by_actor` (and `by_actor_category`, `by_harm_type`) do not add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from civharm.analysis.fact_tables import fact_tables_exist, measured_codes

DISCOUNTED = "discounted"
DEFAULT_PATTERN_CATEGORY = "state_forces"  # the national forces first (issue 6)
FETCH_ROWS = 10_000

DIMENSIONS = (
    "month",
    "year",
    "region",
    "cercle",
    "actor",
    "actor_category",
    "harm_type",
    "context",
    "grade",
)
# Dimensions read from the incident itself: SQL expression, and the name column if any.
INCIDENT_DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "month": ("c.month", None),
    "year": ("c.year", None),
    "region": ("NULLIF(c.admin1_pcode, '')", "c.admin1_name"),
    "cercle": ("NULLIF(c.admin2_pcode, '')", "c.admin2_name"),
    "context": ("NULLIF(c.interaction_context, '')", None),
    "grade": ("NULLIF(c.assessment_grade, '')", None),
}
PERPETRATOR_DIMENSIONS = {"actor": "actor_key", "actor_category": "actor_category"}
PERPETRATOR_JOINS = {
    ("actor",): "LEFT JOIN (SELECT DISTINCT incident_id, actor_key AS actor FROM perpetrators) p "
    "ON p.incident_id = c.id",
    ("actor_category",): "LEFT JOIN (SELECT DISTINCT incident_id, actor_category "
    "FROM perpetrators) p ON p.incident_id = c.id",
    ("actor", "actor_category"): "LEFT JOIN (SELECT DISTINCT incident_id, actor_key AS actor, "
    "actor_category FROM perpetrators) p ON p.incident_id = c.id",
}
DASHBOARD_TABLES: dict[str, tuple[str, ...]] = {
    "by_month": ("month",),
    "by_region": ("region",),
    "by_cercle": ("cercle",),
    "by_actor": ("actor",),
    "by_harm_type": ("harm_type",),
    "by_context": ("context",),
    "totals": (),
}


class UnknownDimensionError(ValueError):
    """A breakdown that the dashboard does not know (names it)."""


@dataclass(frozen=True)
class DashboardFilter:
    """What the reader asked to see; None means "any". Dates compare with the start date."""

    date_from: date | None = None
    date_to: date | None = None
    region: str | None = None  # admin1 P-code
    cercle: str | None = None  # admin2 P-code
    actor: str | None = None  # actor key
    actor_category: str | None = None
    harm_type: str | None = None  # incidents with a count of this harm type
    context: str | None = None
    grade: str | None = None
    include_discounted: bool = False


def filter_sql(wanted: DashboardFilter) -> tuple[str, list[object]]:
    """WHERE conditions on `incidents i` (joined by AND, "TRUE" when none) and parameters."""
    conditions: list[str] = []
    params: list[object] = []

    def add(condition: str, value: object) -> None:
        conditions.append(condition)
        params.append(value)

    if wanted.date_from is not None:
        add("i.date_start >= ?", wanted.date_from)
    if wanted.date_to is not None:
        add("i.date_start <= ?", wanted.date_to)
    for condition, value in (
        ("i.admin1_pcode = ?", wanted.region),
        ("i.admin2_pcode = ?", wanted.cercle),
        ("i.interaction_context = ?", wanted.context),
        ("i.assessment_grade = ?", wanted.grade),
    ):
        if value:
            add(condition, value)
    if wanted.actor:
        add(
            "i.id IN (SELECT incident_id FROM perpetrators WHERE actor_key = ?)",
            wanted.actor,
        )
    if wanted.actor_category:
        add(
            "i.id IN (SELECT incident_id FROM perpetrators WHERE actor_category = ?)",
            wanted.actor_category,
        )
    if wanted.harm_type:
        add("i.id IN (SELECT incident_id FROM harm WHERE harm_type = ?)", wanted.harm_type)
    if not wanted.include_discounted:
        add("coalesce(i.assessment_grade, '') <> ?", DISCOUNTED)
    return (" AND ".join(conditions) or "TRUE"), params


def _check_dimensions(by: Sequence[str]) -> None:
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise UnknownDimensionError(f"unknown dimension(s) {unknown}: use {list(DIMENSIONS)}")


def _aggregate_sql(
    wanted: DashboardFilter, by: tuple[str, ...], harm_type: str
) -> tuple[str, list[object]]:
    """The SQL of `aggregate` and its parameters. Each incident gives one row per group it
    falls in (perpetrator and harm dimensions are made distinct per incident first), so
    count(*) counts incidents and the sums count each incident's people once per group."""
    where, params = filter_sql(wanted)
    select: list[str] = []
    joins: list[str] = []
    join_params: list[object] = []
    for name in by:
        if name in INCIDENT_DIMENSIONS:
            expression, name_column = INCIDENT_DIMENSIONS[name]
            select.append(f"{expression} AS {name}")
            if name_column:
                select.append(
                    f"CASE WHEN {expression} IS NOT NULL THEN NULLIF(max({name_column}), '') "
                    f"END AS {name}_name"
                )
        elif name in PERPETRATOR_DIMENSIONS:
            select.append(f"p.{name} AS {name}")
        else:  # harm_type: measures of the row's own harm type
            select.append("h.harm_type AS harm_type")
    perpetrator_dims = [n for n in by if n in PERPETRATOR_DIMENSIONS]
    if perpetrator_dims:
        joins.append(PERPETRATOR_JOINS[tuple(sorted(perpetrator_dims))])
    if "harm_type" in by:
        joins.append("LEFT JOIN harm h ON h.incident_id = c.id")
    else:
        joins.append(
            "LEFT JOIN (SELECT incident_id, low, best, high FROM harm WHERE harm_type = ?) h "
            "ON h.incident_id = c.id"
        )
        join_params.append(harm_type)
    group = [f"{i + 1}" for i, name in enumerate(_output_columns(by)) if not name.endswith("_name")]
    sql = (
        f"WITH chosen AS (SELECT * FROM incidents i WHERE {where}) "  # noqa: S608 - fixed names only
        f"SELECT {', '.join([*select, ''])}count(*) AS incidents, "
        "coalesce(sum(h.low), 0) AS low, coalesce(sum(h.best), 0) AS best, "
        "coalesce(sum(h.high), 0) AS high "
        f"FROM chosen c {' '.join(joins)}"
    )
    if group:
        order = ", ".join(f"{g} NULLS LAST" for g in group)
        sql += f" GROUP BY {', '.join(group)} ORDER BY {order}"
    return sql, [*params, *join_params]


def _output_columns(by: tuple[str, ...]) -> list[str]:
    columns: list[str] = []
    for name in by:
        columns.append(name)
        if name in INCIDENT_DIMENSIONS and INCIDENT_DIMENSIONS[name][1]:
            columns.append(f"{name}_name")
    return columns


def aggregate(
    con: Any, wanted: DashboardFilter, by: tuple[str, ...], *, harm_type: str = "killed"
) -> list[dict[str, Any]]:
    """Incidents and people (low/best/high of `harm_type`) per combination of `by`.

    Rows: {<dims>..., "incidents", "low", "best", "high"}; region and cercle rows also carry
    "<dim>_name". When "harm_type" is one of `by`, each row counts the people of its own harm
    type. `by=()` gives one row, the totals."""
    by = tuple(by)
    _check_dimensions(by)
    sql, params = _aggregate_sql(wanted, by, harm_type)
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [_plain(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    for measure in ("incidents", "low", "best", "high"):
        row[measure] = int(row[measure])
    return row


def dashboard(
    con: Any, wanted: DashboardFilter, *, harm_type: str = "killed"
) -> dict[str, list[dict[str, Any]]]:
    """Every table of the dashboard page: by_month, by_region, by_cercle, by_actor,
    by_harm_type, by_context and totals (a list of one row); the same rows as `aggregate`
    gives for each, read from the fact tables in three scans (fact_tables.py)."""
    if not fact_tables_exist(con):
        return {
            name: aggregate(con, wanted, by, harm_type=harm_type)
            for name, by in DASHBOARD_TABLES.items()
        }
    codes = Codes.read(con)
    where, params = codes.filter(wanted)
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in DASHBOARD_TABLES}
    if where is None:  # a filter value the register has never held: nothing matches
        tables["totals"] = [{"incidents": 0, "low": 0, "best": 0, "high": 0}]
        return tables
    measure = codes.measure_columns(con, harm_type)
    _incident_tables(con, codes, where, params, measure, tables)
    sql = f"SELECT actor, count(*), {measure} FROM actor_facts WHERE {where} GROUP BY 1"  # noqa: S608
    tables["by_actor"] = codes.rows(con.execute(sql, params).fetchall(), "actor")
    sql = (
        "SELECT harm, count(*), sum(low), sum(best), sum(high) "  # noqa: S608
        f"FROM harm_facts WHERE {where} GROUP BY 1"
    )
    tables["by_harm_type"] = codes.rows(con.execute(sql, params).fetchall(), "harm_type")
    return tables


INCIDENT_GROUPINGS = {  # grouping(month, region, cercle, context) -> table
    0b0111: ("by_month", "month"),
    0b1011: ("by_region", "region"),
    0b1101: ("by_cercle", "cercle"),
    0b1110: ("by_context", "context"),
    0b1111: ("totals", None),
}


def _incident_tables(
    con: Any,
    codes: Codes,
    where: str,
    params: list[object],
    measure: str,
    tables: dict[str, list[dict[str, Any]]],
) -> None:
    """by_month, by_region, by_cercle, by_context and totals in one scan: a fine cube of
    the chosen incidents, then its margins."""
    sql = (
        "WITH cube AS (SELECT month, region, cercle, context, count(*) AS n, "  # noqa: S608
        f"{_named_measures(measure)} FROM facts WHERE {where} GROUP BY ALL) "
        "SELECT grouping(month, region, cercle, context), month, region, cercle, context, "
        "sum(n), sum(m_low), sum(m_best), sum(m_high) FROM cube "
        "GROUP BY GROUPING SETS ((month), (region), (cercle), (context), ())"
    )
    grouped: dict[int, list[tuple[Any, ...]]] = {g: [] for g in INCIDENT_GROUPINGS}
    for g, month, region, cercle, context, *measures in con.execute(sql, params).fetchall():
        key = {0b0111: month, 0b1011: region, 0b1101: cercle, 0b1110: context}.get(g)
        grouped[g].append((key, *measures))
    for g, (name, dimension) in INCIDENT_GROUPINGS.items():
        if dimension is None:
            rows = grouped[g] or [(None, 0, 0, 0, 0)]
            tables[name] = [_measured({}, rows[0][1:])]
        elif dimension == "month":
            tables[name] = _sorted_rows(
                [_measured({"month": key}, rest) for key, *rest in grouped[g]], "month"
            )
        else:
            tables[name] = codes.rows(grouped[g], dimension)


def _named_measures(measure: str) -> str:
    low, best, high = (part.strip() for part in measure.split(","))
    return f"{low} AS m_low, {best} AS m_best, {high} AS m_high"


def _measured(row: dict[str, Any], measures: Sequence[Any]) -> dict[str, Any]:
    incidents, low, best, high = measures
    row.update(
        incidents=int(incidents or 0), low=int(low or 0), best=int(best or 0), high=int(high or 0)
    )
    return row


def _sorted_rows(rows: list[dict[str, Any]], dimension: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: (row[dimension] is None, row[dimension]))


@dataclass(frozen=True)
class Codes:
    """The fact tables' codes: (dimension, value) -> code, and code -> (value, name)."""

    codes: dict[tuple[str, str], int]
    values: dict[tuple[str, int], tuple[str, str | None]]

    @classmethod
    def read(cls, con: Any) -> Codes:
        rows = con.execute("SELECT dimension, code, value, name FROM _codes").fetchall()
        return cls(
            {(dimension, value): int(code) for dimension, code, value, _name in rows},
            {(dimension, int(code)): (value, name) for dimension, code, value, name in rows},
        )

    def filter(self, wanted: DashboardFilter) -> tuple[str | None, list[object]]:
        """WHERE conditions on a fact table, or None when a chosen value has no code."""
        conditions: list[str] = []
        params: list[object] = []
        if wanted.date_from is not None:
            conditions.append("date_start >= ?")
            params.append(wanted.date_from)
        if wanted.date_to is not None:
            conditions.append("date_start <= ?")
            params.append(wanted.date_to)
        for dimension, value, condition in (
            ("region", wanted.region, "region = ?"),
            ("cercle", wanted.cercle, "cercle = ?"),
            ("context", wanted.context, "context = ?"),
            ("grade", wanted.grade, "grade = ?"),
            ("actor", wanted.actor, "list_contains(actors, CAST(? AS USMALLINT))"),
            ("actor_category", wanted.actor_category,
             "list_contains(categories, CAST(? AS USMALLINT))"),
            ("harm_type", wanted.harm_type, "list_contains(harms, CAST(? AS USMALLINT))"),
        ):  # fmt: skip
            if not value:
                continue
            code = self.codes.get((dimension, value))
            if code is None:
                return None, []
            conditions.append(condition)
            params.append(code)
        if not wanted.include_discounted:
            conditions.append("NOT discounted")
        return " AND ".join(conditions) or "TRUE", params

    def measure_columns(self, con: Any, harm_type: str) -> str:
        """sum(low), sum(best), sum(high) of `harm_type` on a fact table (0 when unknown)."""
        code = self.codes.get(("harm_type", harm_type))
        if code is None or code not in measured_codes(con):
            return "sum(NULL::BIGINT), sum(NULL::BIGINT), sum(NULL::BIGINT)"
        return f"sum(h{code}_low), sum(h{code}_best), sum(h{code}_high)"

    def rows(self, grouped: Sequence[Sequence[Any]], dimension: str) -> list[dict[str, Any]]:
        """Decoded rows (code 0: not recorded, None) in `aggregate`'s order and shape."""
        rows = []
        for code, *measures in grouped:
            value, name = self.values.get((dimension, int(code)), (None, None))
            row: dict[str, Any] = {dimension: value}
            if dimension in ("region", "cercle"):
                row[f"{dimension}_name"] = name
            rows.append(_measured(row, measures))
        return _sorted_rows(rows, dimension)


def harm_types_recorded(con: Any) -> list[str]:
    return [
        row[0] for row in con.execute("SELECT DISTINCT harm_type FROM harm ORDER BY 1").fetchall()
    ]


def unit_records(
    con: Any, wanted: DashboardFilter, *, harm_type: str = "killed"
) -> Iterator[dict[str, Any]]:
    """One dict per incident, for disclosure.protect_counts: the dimensions (month, year,
    region, cercle, context, grade; actor, actor_category and harm_type as sorted tuples),
    region_name and cercle_name, "incidents" = 1 and the best count of every harm type
    recorded in the register (0 when the incident has none). "" stands for not recorded."""
    measures = sorted({*harm_types_recorded(con), harm_type})
    where, params = filter_sql(wanted)
    pivots = ", ".join(
        f"coalesce(sum(best) FILTER (WHERE harm_type = ?), 0) AS m{i}" for i in range(len(measures))
    )
    sql = (
        f"WITH chosen AS (SELECT * FROM incidents i WHERE {where}), "  # noqa: S608 - fixed names only
        "p AS (SELECT incident_id, list(DISTINCT actor_key ORDER BY actor_key) AS actors, "
        "list(DISTINCT actor_category ORDER BY actor_category) AS categories "
        "FROM perpetrators WHERE incident_id IN (SELECT id FROM chosen) GROUP BY 1), "
        f"h AS (SELECT incident_id, list(harm_type ORDER BY harm_type) AS types"
        f"{', ' + pivots if pivots else ''} "
        "FROM harm WHERE incident_id IN (SELECT id FROM chosen) GROUP BY 1) "
        "SELECT c.month, c.year, c.admin1_pcode, c.admin1_name, c.admin2_pcode, c.admin2_name, "
        "c.interaction_context, c.assessment_grade, p.actors, p.categories, h.types"
        f"{''.join(f', h.m{i}' for i in range(len(measures)))} "
        "FROM chosen c LEFT JOIN p ON p.incident_id = c.id LEFT JOIN h ON h.incident_id = c.id "
        "ORDER BY c.id"
    )
    # A connection of its own: a reader that stops early leaves no unfinished result behind
    # on `con` (DuckDB refuses further work on a connection with one).
    own = con.cursor()
    try:
        result = own.execute(sql, [*params, *measures])
        while rows := result.fetchmany(FETCH_ROWS):
            for row in rows:
                yield _unit_record(row, measures)
    finally:
        own.close()


def _unit_record(row: tuple[Any, ...], measures: list[str]) -> dict[str, Any]:
    month, year, region, region_name, cercle, cercle_name, context, grade = row[:8]
    actors, categories, types = row[8:11]
    record: dict[str, Any] = {
        "month": month if month is not None else "",
        "year": year if year is not None else "",
        "region": region or "",
        "region_name": region_name or "",
        "cercle": cercle or "",
        "cercle_name": cercle_name or "",
        "context": context or "",
        "grade": grade or "",
        "actor": tuple(actors) if actors else ("",),
        "actor_category": tuple(categories) if categories else ("",),
        "harm_type": tuple(types) if types else ("",),
        "incidents": 1,
    }
    for name, value in zip(measures, row[11:], strict=True):
        record[name] = int(value or 0)
    return record


def interaction_patterns(
    con: Any,
    wanted: DashboardFilter,
    *,
    actor: str | None = None,
    actor_category: str | None = DEFAULT_PATTERN_CATEGORY,
) -> list[dict[str, Any]]:
    """Which interaction contexts lead to which harms, when: one row per (year, context,
    harm_type) for the incidents of `actor` (or, when no actor is given, of any actor of
    `actor_category`; neither: every incident) that `wanted` selects.

    Rows: year, context, harm_type, incidents (with that harm), low, best, high (people),
    regions and cercles (how many distinct ones)."""
    where, params = filter_sql(wanted)
    if actor:
        where += " AND i.id IN (SELECT incident_id FROM perpetrators WHERE actor_key = ?)"
        params.append(actor)
    elif actor_category:
        where += " AND i.id IN (SELECT incident_id FROM perpetrators WHERE actor_category = ?)"
        params.append(actor_category)
    sql = (
        f"SELECT c.year, NULLIF(c.interaction_context, '') AS context, h.harm_type, "  # noqa: S608
        "count(*) AS incidents, coalesce(sum(h.low), 0) AS low, "
        "coalesce(sum(h.best), 0) AS best, coalesce(sum(h.high), 0) AS high, "
        "count(DISTINCT NULLIF(c.admin1_pcode, '')) AS regions, "
        "count(DISTINCT NULLIF(c.admin2_pcode, '')) AS cercles "
        f"FROM (SELECT * FROM incidents i WHERE {where}) c "
        "JOIN harm h ON h.incident_id = c.id "
        "GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3"
    )
    cursor = con.execute(sql, params)
    names = [column[0] for column in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = _plain(dict(zip(names, values, strict=True)))
        row["regions"], row["cercles"] = int(row["regions"]), int(row["cercles"])
        rows.append(row)
    return rows
