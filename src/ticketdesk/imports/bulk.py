"""Many rows into one table fast, in the session's transaction: COPY on PostgreSQL, the
driver's executemany on SQLite. Columns are formatted whole (`formats`: the frame's on
SQLite, each batch's on PostgreSQL) and rows only assembled from those lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, Table, bindparam, insert, literal_column
from sqlalchemy.orm import Session

from ticketdesk.analytics.indexes import deferred_indexes
from ticketdesk.imports import formats

BATCH = 50_000
SQLITE_CACHE_KIB = 256 * 1024


def bulk_insert(
    session: Session,
    table: Table,
    frame: pd.DataFrame,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert `frame`'s rows into `table`; its columns are the table's column names."""
    connection = session.connection()
    with deferred_indexes(connection, table, rows=len(frame)):
        if connection.dialect.name == "postgresql":
            _copy(connection, table, frame, progress)
        else:
            _executemany(connection, table, frame, progress)


@contextmanager
def large_cache(session: Session) -> Iterator[None]:
    """On SQLite, keep a million-row table's index pages in memory while filling it."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default


def _copy(
    connection: Connection,
    table: Table,
    frame: pd.DataFrame,
    progress: Callable[[int], None] | None,
) -> None:
    """COPY in text form, a batch of rows at a time: a worker thread sends each batch while
    this one formats the next, and the server parses one while the next is being made."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    )
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for start in range(0, len(frame), BATCH):
            columns = formats.copy_columns(frame.iloc[start : start + BATCH]).values()
            rows = zip(*columns, strict=True)
            copy.write("\n".join(map("\t".join, rows)) + "\n")
            if progress:
                progress(min(BATCH, len(frame) - start))


def _executemany(
    connection: Connection,
    table: Table,
    frame: pd.DataFrame,
    progress: Callable[[int], None] | None,
) -> None:
    columns = formats.sqlite_columns(frame)
    # What every row shares is written into the statement: binding a parameter costs per
    # row about as much as SQLite's own work on a short value (history's six columns with
    # four of them shared: 3.0 s for a million rows bound, 1.4 s with those four written).
    shared = {name: formats.sqlite_literal(values) for name, values in columns.items()}
    shared[next(iter(columns))] = None  # one column at least is bound: one tuple per row
    bound = [name for name, literal in shared.items() if literal is None]
    values: dict[str, Any] = {name: bindparam(name) for name in bound}
    values |= {name: literal_column(sql) for name, sql in shared.items() if sql is not None}
    compiled = insert(table).values(values).compile(dialect=connection.dialect)
    order = compiled.positiontup or []  # the statement's ? in the order they appear
    for start in range(0, len(frame), BATCH):
        rows = list(zip(*(columns[name][start : start + BATCH] for name in order), strict=True))
        connection.exec_driver_sql(str(compiled), rows)
        if progress:
            progress(len(rows))
