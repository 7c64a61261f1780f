"""Set-based inserts for imports: plain parameterised executemany, with ids reserved first.

Django's bulk_create spent most of an import building SQL per object; this writes the same
rows through the same connection and transaction. Call only inside transaction.atomic().
"""

from __future__ import annotations

from collections.abc import Sequence
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
