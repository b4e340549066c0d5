"""Many rows into one table fast, in the session's transaction: COPY on PostgreSQL, the
driver's executemany on SQLite. Each column is formatted whole first (`formats`); rows are
only assembled from those lists, a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from psycopg import sql
from sqlalchemy import Connection, Table, bindparam, insert
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
    """COPY in text form, built a batch of rows at a time while the server takes the last."""
    columns = [formats.copy_text(frame[name]) for name in frame.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    )
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for start in range(0, len(frame), BATCH):
            rows = zip(*(column[start : start + BATCH] for column in columns), strict=True)
            copy.write("\n".join(map("\t".join, rows)) + "\n")
            if progress:
                progress(min(BATCH, len(frame) - start))


def _executemany(
    connection: Connection,
    table: Table,
    frame: pd.DataFrame,
    progress: Callable[[int], None] | None,
) -> None:
    statement = insert(table).values({name: bindparam(name) for name in frame.columns})
    compiled = str(statement.compile(dialect=connection.dialect))
    columns = [formats.sqlite_values(frame[name]) for name in frame.columns]
    for start in range(0, len(frame), BATCH):
        rows = list(zip(*(column[start : start + BATCH] for column in columns), strict=True))
        connection.exec_driver_sql(compiled, rows)
        if progress:
            progress(len(rows))
