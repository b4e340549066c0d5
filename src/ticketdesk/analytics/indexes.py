"""Bulk loads: fill a table first and build its indexes after, which is several times faster
than updating them row by row. In the caller's transaction, so no reader ever sees the table
without them; on PostgreSQL dropping an index locks the table against readers until the
transaction ends, so that is done only when the load is at least as big as the table was
(bringing history into a new help desk), never for a small import into a busy one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, func, select

# Below this many new rows, keeping the indexes up to date row by row is cheaper.
WORTH_IT = 50_000


@contextmanager
def deferred_indexes(connection: Connection, table: Table, *, rows: int) -> Iterator[None]:
    if rows < WORTH_IT or _rows_in(connection, table) > rows:
        yield
        return
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)


def _rows_in(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table)) or 0
