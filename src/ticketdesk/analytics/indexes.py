"""Bulk loads on SQLite: fill a table first and build its indexes after, which is several
times faster than updating them row by row. In the caller's transaction, so readers never
see the table without them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table

# Below this many new rows, keeping the indexes up to date row by row is cheaper.
WORTH_IT = 50_000


@contextmanager
def deferred_indexes(connection: Connection, table: Table, *, rows: int) -> Iterator[None]:
    if connection.dialect.name != "sqlite" or rows < WORTH_IT:
        yield
        return
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    for index in indexes:
        index.drop(connection)
    yield
    for index in indexes:
        index.create(connection)
