"""A DuckDB copy of the register for analysis, refreshed incrementally from the Django database.

Tables (docs/analysis.md): incidents (live ones only), harm, perpetrators. The copy is read
through the Django connection (DuckDB cannot attach SQLite or PostgreSQL without internet),
so it works on both. Never copies a description, a name or a report: counts and codes only.

How a refresh finds what changed (docs/analysis.md, "How a refresh finds what changed"):
new rows by id; edited incidents by `updated_at`; merges and splits by the merged ids;
rows that vanished or came back (counts and perpetrators replaced by linkage, which does
not touch `updated_at`; deletions) by comparing the count and sum of ids in the register
with the copy's, for each table and then per block of ids where they differ. After each
refresh the dashboard's fact tables follow (fact_tables.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from civharm.analysis.fact_tables import update_fact_tables
from civharm.incidents.models import Actor, HarmCount, Incident, IncidentPerpetrator

FETCH_ROWS = 50_000
ID_CHUNK = 2_000  # ids per IN list: well under SQLite's and PostgreSQL's parameter limits
BLOCK = 4_096  # ids per block compared between the register and the copy
FULL_REBUILD_SHARE = 0.25  # more incidents than this share to re-read: rebuild instead
# A writer may take its timestamp, then wait for the database (SQLite: up to its 30 s busy
# timeout; PostgreSQL: concurrent transactions) and commit after a later edit was copied.
# Incidents edited this close to the watermark are looked at again, and read again only if
# their updated_at differs from the copy's.
CONCURRENT_WRITERS_MARGIN = timedelta(seconds=60)

SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    id BIGINT, date_start DATE, month DATE, year INTEGER, admin1_pcode VARCHAR,
    admin1_name VARCHAR, admin2_pcode VARCHAR, admin2_name VARCHAR,
    interaction_context VARCHAR, assessment_grade VARCHAR, review_status VARCHAR);
CREATE TABLE IF NOT EXISTS harm (
    incident_id BIGINT, harm_type VARCHAR, low BIGINT, best BIGINT, high BIGINT);
CREATE TABLE IF NOT EXISTS perpetrators (
    incident_id BIGINT, actor_key VARCHAR, actor_category VARCHAR,
    attribution_status VARCHAR);
CREATE TABLE IF NOT EXISTS _incident_rows (id BIGINT, live BOOLEAN, updated_at VARCHAR);
CREATE TABLE IF NOT EXISTS _harm_rows (id BIGINT, incident_id BIGINT);
CREATE TABLE IF NOT EXISTS _perpetrator_rows (id BIGINT, incident_id BIGINT);
"""
INCIDENT_COLUMNS = (
    "id", "live", "date_start", "admin1_pcode", "admin1_name", "admin2_pcode", "admin2_name",
    "interaction_context", "assessment_grade", "review_status", "updated_at",
)  # fmt: skip
TEXT = pa.string()
UPDATED_AT = "CAST(updated_at AS TEXT)"  # compared as stored: no per-row datetime parsing
DATE_START = "CAST(date_start AS TEXT)"
STAGED = {
    "_new_incidents": pa.schema(
        [("id", pa.int64()), ("live", pa.int8()), ("date_start", pa.string())]
        + [(name, TEXT) for name in INCIDENT_COLUMNS[3:]]
    ),
    "_new_harm": pa.schema(
        [("id", pa.int64()), ("incident_id", pa.int64()), ("harm_type", TEXT)]
        + [(name, pa.int64()) for name in ("low", "best", "high")]
    ),
    "_new_perpetrators": pa.schema(
        [("id", pa.int64()), ("incident_id", pa.int64())]
        + [(name, TEXT) for name in ("actor_key", "actor_category", "attribution_status")]
    ),
}


ROW_OWNERS = pa.schema([("id", pa.int64()), ("owner", pa.int64())])


@dataclass(frozen=True)
class SnapshotRefresh:
    """What a refresh did: live incidents added, changed and removed, and how long it took."""

    added: int
    changed: int
    removed: int
    seconds: float
    full: bool = False  # True when the whole register was read again


@dataclass
class _Watermark:
    """What the copy has seen of the register, besides its shadow tables."""

    incident_max: int = 0
    harm_max: int = 0
    perpetrator_max: int = 0
    updated_at: datetime | None = None
    actors: tuple[tuple[int, str, str], ...] = ()


@dataclass
class _Scope:
    """The incidents a refresh reads again: every id above `above`, and those in `ids`."""

    above: int
    ids: set[int] = field(default_factory=set)
    newest: int | None = None  # the register's highest incident id, when known

    @property
    def nothing_to_read(self) -> bool:
        return not self.ids and self.newest is not None and self.newest <= self.above


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: Iterable[object] = ()) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a query on the Django connection, a chunk at a time."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while chunk := cursor.fetchmany(FETCH_ROWS):
            yield chunk


def _first_row(sql: str, params: Iterable[object] = ()) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return tuple(cursor.fetchone())


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        yield ordered[start : start + ID_CHUNK]


def _scoped(sql: str, column: str, scope: _Scope) -> Iterator[list[tuple[Any, ...]]]:
    """`sql` (ending in WHERE) for the ids in scope: the range above, then the listed ones."""
    yield from _rows(f"{sql} {column} > %s", [scope.above])
    for chunk in _chunks(i for i in scope.ids if i <= scope.above):
        marks = ", ".join(["%s"] * len(chunk))
        yield from _rows(f"{sql} {column} IN ({marks})", chunk)


class RegisterSnapshot:
    """The register copied into DuckDB (in memory when `path` is None), kept fresh by refresh().

    Thread-safe: refresh() holds a lock and writes in one DuckDB transaction; readers use
    `.connection`, a cursor of their own thread, and see the copy before or after a refresh,
    never half of one."""

    def __init__(self, path: Path | None = None) -> None:
        self._root = duckdb.connect(str(path) if path else ":memory:")
        self._root.execute(SCHEMA)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._seen: _Watermark | None = None
        self.refreshed_at: float | None = None  # time.monotonic() of the last refresh

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection to the copy for the calling thread (DuckDB connections must not
        be shared between threads)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._local.cursor = self._root.cursor()
        return cursor

    def refresh(self, *, full: bool = False) -> SnapshotRefresh:
        """Copy what changed in the register since the last refresh (everything when `full`)."""
        with self._lock:
            return self._refresh(full=full)

    def refresh_if_stale(self, max_age: float, *, force: bool = False) -> SnapshotRefresh | None:
        """Refresh when older than `max_age` seconds (or `force`). While another thread
        refreshes, callers keep reading the previous copy instead of waiting, unless there is
        none yet."""
        fresh = self.refreshed_at is not None and time.monotonic() - self.refreshed_at < max_age
        if fresh and not force:
            return None
        if force or self.refreshed_at is None:
            return self.refresh()
        if not self._lock.acquire(blocking=False):
            return None
        try:
            return self._refresh(full=False)
        finally:
            self._lock.release()

    def close(self) -> None:
        self._root.close()

    # -- one refresh ------------------------------------------------------------------------

    def _refresh(self, *, full: bool) -> SnapshotRefresh:
        started = time.perf_counter()
        actors = tuple(Actor.objects.order_by("id").values_list("id", "key", "category"))
        seen = self._seen or _Watermark()
        scope, updated_at = None, None
        if self._seen is not None and not full and actors == seen.actors:
            scope, updated_at = self._changes_since(seen)
        if scope is None:
            updated_at = Incident.objects.aggregate(latest=Max("updated_at"))["latest"]
            seen, scope, full = _Watermark(), _Scope(above=0), True
        added, changed, removed = (0, 0, 0) if scope.nothing_to_read else self._copy(scope)
        self._seen = self._new_watermark(seen, updated_at, actors)
        self.refreshed_at = time.monotonic()
        return SnapshotRefresh(added, changed, removed, time.perf_counter() - started, full)

    def _changes_since(self, seen: _Watermark) -> tuple[_Scope | None, datetime | None]:
        """The incidents to read again (None when reading everything is safer or faster),
        and the register's latest updated_at."""
        source_max = Incident.objects.aggregate(top=Max("id"))["top"] or 0
        if source_max < seen.incident_max:  # ids went back: a restored or replaced database
            return None, None
        ids, updated_at = self._edited_since(seen)
        ids |= self._merge_changes(seen.incident_max)
        ids |= self._row_changes(Incident, "_incident_rows", "id", seen.incident_max)
        for model, shadow, top in (
            (HarmCount, "_harm_rows", seen.harm_max),
            (IncidentPerpetrator, "_perpetrator_rows", seen.perpetrator_max),
        ):
            ids |= _incidents_of_new_rows(model, top)
            ids |= self._row_changes(model, shadow, "incident_id", top)
        ids = {i for i in ids if i <= seen.incident_max}  # those above are read anyway
        known = self._root.execute("SELECT count(*) FROM _incident_rows").fetchall()[0][0]
        if len(ids) > FULL_REBUILD_SHARE * max(known, 1) and len(ids) > ID_CHUNK:
            return None, updated_at
        return _Scope(above=seen.incident_max, ids=ids, newest=source_max), updated_at

    def _edited_since(self, seen: _Watermark) -> tuple[set[int], datetime | None]:
        """Known incidents whose updated_at moved since they were copied, and the latest
        updated_at (every incident edited after the watermark is in this window or new)."""
        new = Incident.objects.filter(id__gt=seen.incident_max)
        newest = new.aggregate(top=Max("updated_at"))["top"]
        if seen.updated_at is None:  # the register was empty
            return set(), newest
        latest = max(seen.updated_at, newest or seen.updated_at)
        since = connection.ops.adapt_datetimefield_value(
            seen.updated_at - CONCURRENT_WRITERS_MARGIN
        )
        sql = (
            f"SELECT id, {UPDATED_AT}, updated_at FROM {_table(Incident)} "  # noqa: S608
            "WHERE updated_at >= %s AND id <= %s"
        )
        edited: set[int] = set()
        for chunk in _rows(sql, [since, seen.incident_max]):
            ids, stamps, moments = zip(*chunk, strict=True)
            latest = max(latest, max(_aware(moment) for moment in moments))
            window = pa.table({"id": pa.array(ids, pa.int64()), "stamp": pa.array(stamps, TEXT)})
            self._root.register("_edited_window", window)
            try:
                moved = self._root.execute(
                    "SELECT w.id FROM _edited_window w LEFT JOIN _incident_rows s ON s.id = w.id "
                    "WHERE s.updated_at IS DISTINCT FROM w.stamp"
                ).fetchall()
            finally:
                self._root.unregister("_edited_window")
            edited.update(row[0] for row in moved)
        return edited, latest

    def _merge_changes(self, top: int) -> set[int]:
        """Incidents up to `top` merged away or brought back since the copy: the merged ids
        are compared exactly (read from the merged_into index, a small part of the table)."""
        # No condition on the id: the database then reads the merged_into index alone.
        sql = f"SELECT id FROM {_table(Incident)} WHERE merged_into_id IS NOT NULL"  # noqa: S608
        merged = [row[0] for chunk in _rows(sql) for row in chunk if row[0] <= top]
        self._root.register("_merged_now", pa.table({"id": pa.array(merged, pa.int64())}))
        try:
            differing = self._root.execute(
                "SELECT coalesce(m.id, s.id) FROM _merged_now m FULL JOIN "
                "(SELECT id FROM _incident_rows WHERE NOT live AND id <= ?) s ON s.id = m.id "
                "WHERE m.id IS NULL OR s.id IS NULL",
                [top],
            ).fetchall()
        finally:
            self._root.unregister("_merged_now")
        return {row[0] for row in differing}

    def _row_changes(self, model: Any, shadow: str, owner: str, top: int) -> set[int]:
        """Incidents whose rows up to id `top` vanished or appeared (deleted, replaced, or
        committed late), found by count and sum of ids: of the table first (the database
        reads it from an index), then per block of ids where they differ."""
        above = f"SELECT count(*), sum(id) FROM {_table(model)} WHERE id > %s"  # noqa: S608
        everything = f"SELECT count(*), sum(id) FROM {_table(model)}"  # noqa: S608
        total, newer = _first_row(everything), _first_row(above, [top])
        source = (int(total[0]) - int(newer[0]), int(total[1] or 0) - int(newer[1] or 0))
        copied = self._root.execute(
            f"SELECT count(*), coalesce(sum(id), 0) FROM {shadow} WHERE id <= ?",  # noqa: S608
            [top],
        ).fetchall()[0]
        if source == tuple(int(v) for v in copied):
            return set()
        return self._block_changes(model, shadow, owner, top)

    def _block_changes(self, model: Any, shadow: str, owner: str, top: int) -> set[int]:
        blocks = _differing_blocks(
            _source_blocks(_table(model), top), self._copy_blocks(shadow, top)
        )
        if not blocks:
            return set()
        sql = f"SELECT id, {owner} FROM {_table(model)} WHERE id BETWEEN %s AND %s"  # noqa: S608
        chunks = [
            _arrow(chunk, ROW_OWNERS)
            for low, high in _block_ranges(blocks, top)
            for chunk in _rows(sql, [low, high])
        ]
        self._root.register("_source_rows", pa.concat_tables([ROW_OWNERS.empty_table(), *chunks]))
        self._root.register("_blocks", pa.table({"block": pa.array(blocks, pa.int64())}))
        try:
            differing = self._root.execute(
                "SELECT coalesce(s.owner, c.owner) FROM _source_rows s FULL JOIN "  # noqa: S608
                f"(SELECT id, {owner} AS owner FROM {shadow} WHERE id <= ? "
                f"AND id // {BLOCK} IN (SELECT block FROM _blocks)) c "
                "ON s.id = c.id AND s.owner = c.owner WHERE s.id IS NULL OR c.id IS NULL",
                [top],
            ).fetchall()
        finally:
            self._root.unregister("_source_rows")
            self._root.unregister("_blocks")
        return {row[0] for row in differing}

    def _copy_blocks(self, shadow: str, top: int) -> dict[int, tuple[int, ...]]:
        sql = (
            f"SELECT id // {BLOCK}, count(*), sum(id) FROM {shadow} "  # noqa: S608
            "WHERE id <= ? GROUP BY 1"
        )
        return {
            row[0]: tuple(int(v or 0) for v in row[1:])
            for row in self._root.execute(sql, [top]).fetchall()
        }

    def _new_watermark(
        self, seen: _Watermark, updated_at: datetime | None, actors: tuple[Any, ...]
    ) -> _Watermark:
        def top(table: str) -> int:
            sql = f"SELECT coalesce(max(id), 0) FROM {table}"  # noqa: S608
            return int(self._root.execute(sql).fetchall()[0][0])

        return _Watermark(
            incident_max=max(seen.incident_max, top("_incident_rows")),
            harm_max=max(seen.harm_max, top("_harm_rows")),
            perpetrator_max=max(seen.perpetrator_max, top("_perpetrator_rows")),
            updated_at=updated_at,
            actors=actors,
        )

    # -- copying ------------------------------------------------------------------------------

    def _copy(self, scope: _Scope) -> tuple[int, int, int]:
        """Read the incidents in scope with their harm and perpetrators, and swap them in."""
        self._stage(scope)
        con = self._root
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _scope AS SELECT unnest(?::BIGINT[]) AS id",
            [sorted(scope.ids)],
        )
        in_scope = "({column} > ? OR {column} IN (SELECT id FROM _scope))"
        con.execute("BEGIN TRANSACTION")
        try:
            counts = _count_changes(con, in_scope, scope.above)
            for table, column in (
                ("incidents", "id"), ("harm", "incident_id"), ("perpetrators", "incident_id"),
                ("_incident_rows", "id"), ("_harm_rows", "incident_id"),
                ("_perpetrator_rows", "incident_id"),
            ):  # fmt: skip
                condition = in_scope.format(column=column)
                con.execute(f"DELETE FROM {table} WHERE {condition}", [scope.above])  # noqa: S608
            _insert_staged(con)
            update_fact_tables(con, in_scope, [scope.above])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return counts

    def _stage(self, scope: _Scope) -> None:
        """The rows in scope, read from the register into temporary DuckDB tables."""
        for name, schema in STAGED.items():
            columns = ", ".join(f"{f.name} {_duck_type(f.name, f.type)}" for f in schema)
            self._root.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
        live = "CASE WHEN merged_into_id IS NULL THEN 1 ELSE 0 END"
        # Dates and timestamps as text: DuckDB parses them in bulk, far faster than per row.
        computed = {"live": live, "updated_at": UPDATED_AT, "date_start": DATE_START}
        incident_columns = ", ".join(computed.get(c, c) for c in INCIDENT_COLUMNS)
        sources = {
            "_new_incidents": (
                f"SELECT {incident_columns} FROM {_table(Incident)} WHERE",  # noqa: S608
                "id",
            ),
            "_new_harm": (
                "SELECT id, incident_id, harm_type, low, best, high "  # noqa: S608
                f"FROM {_table(HarmCount)} WHERE",
                "incident_id",
            ),
            "_new_perpetrators": (
                "SELECT p.id, p.incident_id, a.key, a.category, p.attribution_status "  # noqa: S608
                f"FROM {_table(IncidentPerpetrator)} p JOIN {_table(Actor)} a "
                "ON a.id = p.actor_id WHERE",
                "p.incident_id",
            ),
        }
        for name, (sql, column) in sources.items():
            schema = STAGED[name]
            chunks = [_arrow(chunk, schema) for chunk in _scoped(sql, column, scope)]
            if not chunks:
                continue
            self._root.register("_arrow_rows", pa.concat_tables(chunks))
            try:
                self._root.execute(f"INSERT INTO {name} SELECT * FROM _arrow_rows")  # noqa: S608
            finally:
                self._root.unregister("_arrow_rows")


def _arrow(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns = zip(*rows, strict=True)
    return pa.Table.from_arrays(
        [pa.array(values, type=f.type) for values, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def _duck_type(name: str, arrow_type: pa.DataType) -> str:
    if name == "date_start":
        return "DATE"
    if arrow_type == pa.string():
        return "VARCHAR"
    return "BIGINT"


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _incidents_of_new_rows(model: Any, top: int) -> set[int]:
    """Incidents that rows added after id `top` belong to (the id range only: no index on
    the incident is worth reading for a few new rows)."""
    sql = f"SELECT incident_id FROM {_table(model)} WHERE id > %s"  # noqa: S608
    return {row[0] for chunk in _rows(sql, [top]) for row in chunk}


def _source_blocks(table: str, top: int) -> dict[int, tuple[int, ...]]:
    sql = (
        f"SELECT id / {BLOCK}, count(*), sum(id) FROM {table} "  # noqa: S608
        "WHERE id <= %s GROUP BY id / " + str(BLOCK)
    )
    return {
        int(row[0]): tuple(int(v or 0) for v in row[1:])
        for chunk in _rows(sql, [top])
        for row in chunk
    }


def _differing_blocks(
    source: dict[int, tuple[int, ...]], copy: dict[int, tuple[int, ...]]
) -> list[int]:
    return sorted(b for b in source.keys() | copy.keys() if source.get(b) != copy.get(b))


def _block_ranges(blocks: list[int], top: int) -> Iterator[tuple[int, int]]:
    """Id ranges covering the (sorted) blocks, neighbouring blocks read as one range."""
    runs: list[list[int]] = []
    for block in blocks:
        if runs and block == runs[-1][1] + 1:
            runs[-1][1] = block
        else:
            runs.append([block, block])
    for first, last in runs:
        yield first * BLOCK, min(last * BLOCK + BLOCK - 1, top)


FINGERPRINTS = """
SELECT i.id, hash(i.date_start, i.admin1_pcode, i.admin1_name, i.admin2_pcode, i.admin2_name,
        i.interaction_context, i.assessment_grade, i.review_status)
    + coalesce((SELECT sum(hash(h.harm_type, h.low, h.best, h.high)::HUGEINT)
                FROM {harm} h WHERE h.incident_id = i.id), 0)
    + coalesce((SELECT sum(hash(p.actor_key, p.actor_category, p.attribution_status)::HUGEINT)
                FROM {perpetrators} p WHERE p.incident_id = i.id), 0) AS print
FROM {incidents} i WHERE {condition}
"""


def _count_changes(
    con: duckdb.DuckDBPyConnection, in_scope: str, above: int
) -> tuple[int, int, int]:
    """(added, changed, removed) live incidents between the copy and the staged rows."""
    before = FINGERPRINTS.format(
        harm="harm", perpetrators="perpetrators", incidents="incidents",
        condition=in_scope.format(column="i.id"),
    )  # fmt: skip
    after = FINGERPRINTS.format(
        harm="_new_harm", perpetrators="_new_perpetrators", incidents="_new_incidents",
        condition="i.live = 1",
    )  # fmt: skip
    sql = (
        f"WITH b AS ({before}), a AS ({after}) SELECT "  # noqa: S608
        "count(*) FILTER (WHERE b.id IS NULL), "
        "count(*) FILTER (WHERE a.id IS NOT NULL AND b.id IS NOT NULL AND a.print <> b.print), "
        "count(*) FILTER (WHERE a.id IS NULL) FROM a FULL JOIN b ON a.id = b.id"
    )
    added, changed, removed = con.execute(sql, [above]).fetchall()[0]
    return int(added), int(changed), int(removed)


def _insert_staged(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "INSERT INTO _incident_rows SELECT id, live = 1, updated_at FROM _new_incidents;"
        "INSERT INTO _harm_rows SELECT id, incident_id FROM _new_harm;"
        "INSERT INTO _perpetrator_rows SELECT id, incident_id FROM _new_perpetrators;"
        "INSERT INTO incidents SELECT id, date_start, date_trunc('month', date_start)::DATE, "
        "year(date_start), admin1_pcode, admin1_name, admin2_pcode, admin2_name, "
        "interaction_context, assessment_grade, review_status "
        "FROM _new_incidents WHERE live = 1 ORDER BY id;"
        "INSERT INTO harm SELECT h.incident_id, h.harm_type, h.low, h.best, h.high "
        "FROM _new_harm h JOIN _new_incidents i ON i.id = h.incident_id AND i.live = 1 "
        "ORDER BY h.incident_id;"
        "INSERT INTO perpetrators SELECT p.incident_id, p.actor_key, p.actor_category, "
        "p.attribution_status FROM _new_perpetrators p "
        "JOIN _new_incidents i ON i.id = p.incident_id AND i.live = 1 ORDER BY p.incident_id;"
    )


# -- the process-wide copy ----------------------------------------------------------------------

_process_snapshot: RegisterSnapshot | None = None
_process_lock = threading.Lock()


def register_snapshot(*, force: bool = False) -> RegisterSnapshot:
    """The process's copy of the register, refreshed when older than
    CIVHARM["ANALYSIS_REFRESH_SECONDS"] (or when `force`)."""
    global _process_snapshot
    with _process_lock:
        if _process_snapshot is None:
            _process_snapshot = RegisterSnapshot()
        snapshot = _process_snapshot
    snapshot.refresh_if_stale(
        float(settings.CIVHARM.get("ANALYSIS_REFRESH_SECONDS", 30)), force=force
    )
    return snapshot


def forget_register_snapshot() -> None:
    """Drop the process's copy (tests switch databases under it; the next call rebuilds)."""
    global _process_snapshot
    with _process_lock:
        previous, _process_snapshot = _process_snapshot, None
    if previous is not None:
        previous.close()
