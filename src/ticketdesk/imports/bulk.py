"""Many rows into one table fast, in the session's transaction: COPY on PostgreSQL, the
driver's executemany on SQLite (times pre-formatted the way ticketdesk stores them there)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql
from sqlalchemy import Table, bindparam, insert
from sqlalchemy.orm import Session

from ticketdesk.analytics.indexes import deferred_indexes

BATCH = 20_000
COPY_BATCH = 100_000
COPY_TIME = "%Y-%m-%d %H:%M:%S.%f+00:00"
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
            _copy(connection.connection.driver_connection, table, frame, progress)
            return
        statement = insert(table).values({name: bindparam(name) for name in frame.columns})
        compiled = str(statement.compile(dialect=connection.dialect))
        for rows in _batches(_for_sqlite(frame)):
            connection.exec_driver_sql(compiled, rows)
            if progress:
                progress(len(rows))


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
    driver: Any, table: Table, frame: pd.DataFrame, progress: Callable[[int], None] | None
) -> None:
    """COPY in CSV form: pandas writes the text in C, the server parses it."""
    frame = frame.copy()
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            frame[name] = frame[name].dt.tz_convert("UTC")  # COPY_TIME says +00:00
    # In CSV an empty field is NULL; text columns without nulls keep their empty strings.
    never_null = [
        name
        for name in frame.columns
        if not pd.api.types.is_numeric_dtype(frame[name])
        and not pd.api.types.is_bool_dtype(frame[name])
        and not isinstance(frame[name].dtype, pd.DatetimeTZDtype)
        and frame[name].notna().all()
    ]
    options: sql.Composable = sql.SQL("FORMAT csv")
    if never_null:
        options = sql.SQL("FORMAT csv, FORCE_NOT_NULL ({})").format(
            sql.SQL(", ").join(map(sql.Identifier, never_null))
        )
    statement = sql.SQL("COPY {} ({}) FROM STDIN ({})").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
        options,
    )
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(frame), COPY_BATCH):
            chunk = frame.iloc[start : start + COPY_BATCH]
            copy.write(chunk.to_csv(index=False, header=False, date_format=COPY_TIME))
            if progress:
                progress(len(chunk))


def _batches(frame: pd.DataFrame) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(frame), BATCH):
        rows: list[list[Any]] = frame.iloc[start : start + BATCH].to_numpy(object).tolist()
        yield list(map(tuple, rows))


def _for_sqlite(frame: pd.DataFrame) -> pd.DataFrame:
    """UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff' (what UTCDateTime stores), nulls as None."""
    out = frame.copy()
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
            values = (
                frame[name].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
            )
            text = pd.Series(np.datetime_as_string(values, unit="us"), index=frame.index)
            out[name] = text.str.replace("T", " ", n=1).where(frame[name].notna(), None)
    return out.astype(object).where(out.notna(), None)
