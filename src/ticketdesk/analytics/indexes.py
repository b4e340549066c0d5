"""Bulk loads: fill a table first and build its indexes after, which is several times faster
than updating them row by row. On PostgreSQL the table's foreign keys go too and are added
back after the load, which checks every row in one join instead of one lookup per row (a
third of the time of a million-row COPY); SQLite cannot drop a foreign key, and its per-row
check is a cheap B-tree probe. On SQLite the table's CHECK constraints are set aside
(`PRAGMA ignore_check_constraints`) and checked after the load by one query each: SQLite
builds the value list of a CHECK ... IN (...) afresh for every inserted row, which took half
the time of inserting a million tickets.

All in the caller's transaction, so no reader ever sees the table without its indexes or
its rows unchecked. On PostgreSQL dropping an index locks the table against readers until
the transaction ends, and dropping a foreign key locks the table it refers to as well (the
users, for tickets), so this is done only when the load is at least as big as the table was
(bringing history into a new help desk), never for a small import into a busy one. A
rebuild empties its tables first, so for it that test always passes: it drops the foreign
key to tickets only when the transaction holds tickets that way already.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import CheckConstraint, Connection, Table, func, not_, select, text
from sqlalchemy.schema import AddConstraint, DropConstraint

# Below this many new rows, keeping the indexes up to date row by row is cheaper.
WORTH_IT = 50_000


@contextmanager
def deferred_indexes(
    connection: Connection, table: Table, *, rows: int, keys: bool = True
) -> Iterator[None]:
    """Indexes dropped for a large load and rebuilt after it; on PostgreSQL (with `keys`)
    foreign keys too, on SQLite CHECK constraints checked once at the end."""
    if rows < WORTH_IT or _rows_in(connection, table) > rows:
        yield
        return
    indexes = sorted(table.indexes, key=lambda index: str(index.name))
    dropped = []
    if keys and connection.dialect.name == "postgresql":
        dropped = sorted(table.foreign_key_constraints, key=lambda key: str(key.name))
    for key in dropped:
        connection.execute(DropConstraint(key))
    for index in indexes:
        index.drop(connection)
    with _checks_after(connection, table):
        yield
    for index in indexes:
        index.create(connection)
    for key in dropped:
        connection.execute(AddConstraint(key))


@contextmanager
def _checks_after(connection: Connection, table: Table) -> Iterator[None]:
    checks = [item for item in table.constraints if isinstance(item, CheckConstraint)]
    if connection.dialect.name != "sqlite" or not checks:
        yield
        return
    connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = OFF")
    for check in sorted(checks, key=lambda item: str(item.name)):
        broken = select(func.count()).select_from(table).where(not_(check.sqltext))
        if connection.scalar(broken):
            raise ConstraintBroken(f"{table.name}: rows break {check.name}")


def locked_against_readers(connection: Connection, table: Table) -> bool:
    """Whether this transaction already holds `table` exclusively (PostgreSQL), as after
    dropping its indexes: then locking it again for a foreign key's sake costs nothing."""
    if connection.dialect.name != "postgresql":
        return False
    held = connection.scalar(
        text(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND granted"
            " AND mode = 'AccessExclusiveLock' AND relation = CAST(:name AS regclass)"
        ),
        {"name": table.name},
    )
    return bool(held)


class ConstraintBroken(Exception):
    """Loaded rows break a constraint that was checked after the load."""


def _rows_in(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table)) or 0
