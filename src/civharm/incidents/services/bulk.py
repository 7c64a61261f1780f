"""Set-based inserts for imports: plain parameterised executemany, with ids reserved first.

Django's bulk_create spent most of an import building SQL per object; this writes the same
rows through the same connection and transaction. Call only inside transaction.atomic().
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

import orjson
from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, safe under the import's write transaction.

    SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so max(id) cannot move.
    PostgreSQL: drawn from the table's own sequence, like ordinary inserts.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"coalesce((SELECT max(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: list[tuple[object, ...]]
) -> None:
    """INSERT the rows (values already in database form) into the model's table."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def existing_values(
    model: type[models.Model], field: str, equal: dict[str, object], values: set[str]
) -> set[str]:
    """Which of `values` the table holds in `field`, among rows matching `equal` (field: value)."""
    if not values:
        return set()
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(field).column)
    found: set[str] = set()
    chunk_size = 2000  # well under SQLite's and PostgreSQL's parameter limits
    ordered = sorted(values)
    conditions = " AND ".join(f"{quote(model._meta.get_field(name).column)} = %s" for name in equal)
    with connection.cursor() as cursor:
        for start in range(0, len(ordered), chunk_size):
            chunk = ordered[start : start + chunk_size]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {column} FROM {quote(model._meta.db_table)} "  # noqa: S608
                f"WHERE {conditions} AND {column} IN ({marks})",
                [*equal.values(), *chunk],
            )
            found.update(row[0] for row in cursor.fetchall())
    return found


IMPORT_PAGE_CACHE_KIB = 64 * 1024


@contextmanager
def larger_page_cache(kib: int = IMPORT_PAGE_CACHE_KIB) -> Iterator[None]:
    """SQLite: a page cache large enough that a batch's index pages stay in memory.

    The default (2 MB) spills dirty pages mid-transaction and re-reads index pages every batch.
    Memory only: durability (WAL, synchronous=FULL) is untouched. No-op on PostgreSQL.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


class Adapter:
    """Values in the database's own form, built once per batch (connection.ops is slow to reach).

    SQLite stores JSON as text and dates as ISO text; PostgreSQL takes jsonb and date objects.
    """

    def __init__(self) -> None:
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            from psycopg.types.json import Jsonb

            self._jsonb = Jsonb

    def json(self, value: object) -> object:
        if self.postgresql:
            return self._jsonb(value)
        return orjson.dumps(value).decode("utf-8")

    def date(self, value: date | None) -> object:
        if value is None or self.postgresql:
            return value
        return value.isoformat()

    def datetime(self, value: datetime) -> object:
        return connection.ops.adapt_datetimefield_value(value)
