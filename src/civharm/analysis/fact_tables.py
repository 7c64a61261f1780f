"""The dashboard's fact tables: the snapshot's incidents, harm and perpetrators re-shaped so
that each dashboard table is one scan of small integers (see docs/analysis.md, "Speed").

Pure: DuckDB SQL on the snapshot's connection; never imports Django. Derived only from the
snapshot's own tables, so they can always be rebuilt from them. Never holds text a person
wrote: codes, dates and counts.

- `_codes(dimension, code, value, name)`: every value of a dimension gets a small integer
  code (0 means "not recorded"), never renumbered;
Rows are stored in date order, so that a period's queries skip the row groups of other
periods; an incremental refresh appends its rows, which only the rows it re-read escape.

- `facts`: one row per live incident, its codes and, per harm type (column h<code>_…), its
  low/best/high;
- `actor_facts`: one row per (incident, alleged actor) — or (incident, 0) without one;
- `harm_facts`: one row per (incident, harm type) — or (incident, 0) without any count.
"""

from __future__ import annotations

from typing import Any

CODED = {  # dimension: (table, column) it is read from
    "region": ("incidents", "admin1_pcode"),
    "cercle": ("incidents", "admin2_pcode"),
    "context": ("incidents", "interaction_context"),
    "grade": ("incidents", "assessment_grade"),
    "actor": ("perpetrators", "actor_key"),
    "actor_category": ("perpetrators", "actor_category"),
    "harm_type": ("harm", "harm_type"),
}
NAMED = {"region": "admin1_name", "cercle": "admin2_name"}
INCIDENT_KEY = {"incidents": "id", "perpetrators": "incident_id", "harm": "incident_id"}
FILTER_COLUMNS = (
    "date_start, month, region, cercle, context, grade, discounted, actors, categories, harms"
)
CODES_TABLE = """CREATE TABLE IF NOT EXISTS _codes (
    dimension VARCHAR, code USMALLINT, value VARCHAR, name VARCHAR)"""


def fact_tables_exist(con: Any) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'facts'"
    ).fetchall()
    return bool(found[0][0])


def measured_codes(con: Any) -> list[int]:
    """Harm-type codes that `facts` has measure columns for."""
    columns = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'facts' "
        "AND column_name LIKE 'h%\\_best' ESCAPE '\\'"
    ).fetchall()
    return sorted(int(name[1:-5]) for (name,) in columns)


def harm_codes(con: Any) -> list[int]:
    rows = con.execute("SELECT code FROM _codes WHERE dimension = 'harm_type' ORDER BY code")
    return [int(code) for (code,) in rows.fetchall()]


def update_fact_tables(con: Any, scope: str, params: list[object]) -> None:
    """Re-derive the fact rows of the incidents in `scope` (a condition on `{column}`, with
    `params`), after the snapshot's tables were updated; in the caller's transaction."""
    con.execute(CODES_TABLE)
    for dimension, (table, column) in CODED.items():
        _add_new_codes(
            con, dimension, table, column, scope.format(column=INCIDENT_KEY[table]), params
        )
    _refresh_names(con)
    if not fact_tables_exist(con) or measured_codes(con) != harm_codes(con):
        # First build, or a new harm type (a column more): every incident again.
        _create_fact_tables(con, harm_codes(con))
        scope, params = "TRUE", []
    for table in ("facts", "actor_facts", "harm_facts"):
        con.execute(f"DELETE FROM {table} WHERE {scope.format(column='id')}", params)  # noqa: S608
    _insert_facts(con, scope.format(column="i.id"), params)
    _insert_actor_and_harm_facts(con, scope.format(column="f.id"), params)


def _add_new_codes(
    con: Any, dimension: str, table: str, column: str, scope: str, params: list[object]
) -> None:
    con.execute(
        "INSERT INTO _codes SELECT ?, (SELECT coalesce(max(code), 0) FROM _codes "  # noqa: S608
        "WHERE dimension = ?) + row_number() OVER (ORDER BY value), value, NULL "
        f"FROM (SELECT DISTINCT {column} AS value FROM {table} WHERE {scope}) "
        "WHERE value <> '' AND value NOT IN (SELECT value FROM _codes WHERE dimension = ?)",
        [dimension, dimension, *params, dimension],
    )


def _refresh_names(con: Any) -> None:
    for dimension, name_column in NAMED.items():
        column = CODED[dimension][1]
        con.execute(
            f"UPDATE _codes SET name = n.name FROM (SELECT {column} AS value, "  # noqa: S608
            f"NULLIF(max({name_column}), '') AS name FROM incidents GROUP BY 1) n "
            "WHERE _codes.dimension = ? AND _codes.value = n.value "
            "AND _codes.name IS DISTINCT FROM n.name",
            [dimension],
        )


def _create_fact_tables(con: Any, codes: list[int]) -> None:
    measures = "".join(f", h{c}_low BIGINT, h{c}_best BIGINT, h{c}_high BIGINT" for c in codes)
    filters = (
        "date_start DATE, month DATE, region USMALLINT, cercle USMALLINT, context USMALLINT, "
        "grade USMALLINT, discounted BOOLEAN, actors USMALLINT[], categories USMALLINT[], "
        "harms USMALLINT[]"
    )
    con.execute(f"CREATE OR REPLACE TABLE facts (id BIGINT, {filters}{measures})")
    con.execute(
        f"CREATE OR REPLACE TABLE actor_facts (id BIGINT, actor USMALLINT, {filters}{measures})"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE harm_facts (id BIGINT, harm USMALLINT, {filters}, "
        "low BIGINT, best BIGINT, high BIGINT)"
    )


def _code(dimension: str, column: str) -> str:
    lookup = f"SELECT code FROM _codes WHERE dimension = '{dimension}' AND value = {column}"  # noqa: S608
    return f"coalesce(({lookup}), 0)"


def _insert_facts(con: Any, scope: str, params: list[object]) -> None:
    codes = harm_codes(con)
    measures = "".join(
        f", max(h.low) FILTER (WHERE h.code = {c}), max(h.best) FILTER (WHERE h.code = {c}), "
        f"max(h.high) FILTER (WHERE h.code = {c})"
        for c in codes
    )
    con.execute(
        "INSERT INTO facts WITH chosen AS (SELECT * FROM incidents i WHERE "  # noqa: S608
        f"{scope}), coded AS (SELECT *, {_code('region', 'admin1_pcode')} AS region_code, "
        f"{_code('cercle', 'admin2_pcode')} AS cercle_code, "
        f"{_code('context', 'interaction_context')} AS context_code, "
        f"{_code('grade', 'assessment_grade')} AS grade_code FROM chosen), "
        "p AS (SELECT incident_id, list(DISTINCT a.code ORDER BY a.code) AS actors, "
        "list(DISTINCT k.code ORDER BY k.code) AS categories FROM perpetrators "
        "JOIN _codes a ON a.dimension = 'actor' AND a.value = actor_key "
        "JOIN _codes k ON k.dimension = 'actor_category' AND k.value = actor_category "
        "WHERE incident_id IN (SELECT id FROM chosen) GROUP BY 1), "
        "h AS (SELECT incident_id, code, low, best, high FROM harm "
        "JOIN _codes ON dimension = 'harm_type' AND value = harm_type "
        "WHERE incident_id IN (SELECT id FROM chosen)), "
        "hs AS (SELECT h.incident_id, list(DISTINCT h.code ORDER BY h.code) AS harms"
        f"{measures} FROM h GROUP BY 1) "
        "SELECT i.id, i.date_start, i.month, i.region_code, i.cercle_code, i.context_code, "
        "i.grade_code, coalesce(i.assessment_grade = 'discounted', false), p.actors, "
        "p.categories, hs.* EXCLUDE (incident_id) "
        "FROM coded i LEFT JOIN p ON p.incident_id = i.id LEFT JOIN hs ON hs.incident_id = i.id "
        "ORDER BY i.date_start NULLS FIRST, i.id",
        params,
    )


def _insert_actor_and_harm_facts(con: Any, scope: str, params: list[object]) -> None:
    measures = "".join(f", f.h{c}_low, f.h{c}_best, f.h{c}_high" for c in harm_codes(con))
    con.execute(
        f"INSERT INTO actor_facts SELECT f.id, coalesce(a.actor, 0), {_prefixed('f')}"  # noqa: S608
        f"{measures} FROM facts f LEFT JOIN (SELECT f.id, unnest(f.actors) AS actor "
        f"FROM facts f WHERE {scope}) a ON a.id = f.id WHERE {scope} "
        "ORDER BY f.date_start NULLS FIRST, f.id",
        [*params, *params],
    )
    con.execute(
        f"INSERT INTO harm_facts SELECT f.id, coalesce(h.code, 0), {_prefixed('f')}, "  # noqa: S608
        "h.low, h.best, h.high FROM facts f LEFT JOIN (SELECT incident_id, code, low, best, "
        "high FROM harm JOIN _codes ON dimension = 'harm_type' AND value = harm_type) h "
        f"ON h.incident_id = f.id WHERE {scope} ORDER BY f.date_start NULLS FIRST, f.id",
        params,
    )


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in FILTER_COLUMNS.split(","))
