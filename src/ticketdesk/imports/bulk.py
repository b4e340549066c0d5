"""Many rows into one table fast, in the session's transaction: COPY on PostgreSQL, the
driver's executemany on SQLite.

Each column is turned whole into the values the database is sent (times formatted by numpy,
text escaped in one pass over the joined column), and rows are only assembled from those
lists at the end: nothing goes through pandas row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql
from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.orm import Session

from ticketdesk.analytics.indexes import deferred_indexes

BATCH = 50_000
SQLITE_CACHE_KIB = 256 * 1024
# COPY's text format: a tab between fields, a line break after each row, \N for NULL, and
# these characters escaped inside values.
COPY_NULL = "\\N"
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
# Joins a column's values for escaping them in one pass; PostgreSQL cannot store it in text,
# so no value holds it (csvfile refuses files that do).
SEPARATOR = "\x00"


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
    columns = [_copy_text(frame[name]) for name in frame.columns]
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


def _copy_text(column: pd.Series) -> list[str]:
    """A column as COPY's text format has it."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        moments = _utc_microseconds(column)
        iso = np.datetime_as_string(moments, unit="us", timezone="UTC")  # ...Z
        return _with_nulls(iso.tolist(), np.isnat(moments), COPY_NULL)
    if pd.api.types.is_bool_dtype(column.dtype):
        truth: list[str] = np.where(column.to_numpy(bool), "t", "f").tolist()
        return truth
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        numbers: list[str] = column.to_numpy("int64").astype(str).tolist()
        return numbers
    text = _escaped([str(value) for value in column.tolist()])
    return _with_nulls(text, column.isna().to_numpy(), COPY_NULL)


def _escaped(values: list[str]) -> list[str]:
    """COPY's escapes applied to every value at once: join, replace, split."""
    if not values:
        return values
    joined = SEPARATOR.join(values)
    if joined.count(SEPARATOR) != len(values) - 1:
        raise ValueError("text holds a NUL character, which PostgreSQL cannot store")
    for character, escape in COPY_ESCAPES:
        joined = joined.replace(character, escape)
    return joined.split(SEPARATOR)


def _executemany(
    connection: Connection,
    table: Table,
    frame: pd.DataFrame,
    progress: Callable[[int], None] | None,
) -> None:
    statement = insert(table).values({name: bindparam(name) for name in frame.columns})
    compiled = str(statement.compile(dialect=connection.dialect))
    columns = [_sqlite_values(frame[name]) for name in frame.columns]
    for start in range(0, len(frame), BATCH):
        rows = list(zip(*(column[start : start + BATCH] for column in columns), strict=True))
        connection.exec_driver_sql(compiled, rows)
        if progress:
            progress(len(rows))


def _sqlite_values(column: pd.Series) -> list[Any]:
    """A column as ticketdesk stores it in SQLite: UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff'
    (what UTCDateTime writes), nulls as None."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        moments = _utc_microseconds(column)
        text = np.strings.replace(np.datetime_as_string(moments, unit="us"), "T", " ", 1)
        return _with_nulls(text.tolist(), np.isnat(moments), None)
    return _with_nulls(column.tolist(), column.isna().to_numpy(), None)


def _with_nulls(values: list[Any], null: np.ndarray, marker: Any) -> list[Any]:
    for position in np.flatnonzero(null).tolist():
        values[position] = marker
    return values


def _utc_microseconds(column: pd.Series) -> np.ndarray:
    moments: np.ndarray = (
        column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
    )
    return moments
