"""A commit on SQLite is flushed to disk after the write lock is let go, not while it is held.

With `PRAGMA synchronous=FULL` in WAL mode, SQLite syncs the write-ahead log at every commit,
inside its one write lock: every writer waits for every other writer's disk flush, one after
another (at a million tickets, about half the time a create holds the lock). With `NORMAL`,
SQLite skips that one sync and keeps the rest (the log before and the database after each
checkpoint, the log's header when it starts over), so the database stays consistent on power
loss, but the last commits may be lost. ticketdesk runs SQLite at `NORMAL` and makes that
sync itself, right after a commit that changed rows and before the request answers, with the
lock already free: what a 2xx promises is what `FULL` promised (the SQLite developers' own
advice for durable commits under `NORMAL` is to flush the log file), while the flushes of
writers that commit close together overlap instead of queueing.
"""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy.pool import PoolProxiedConnection

# Where a pooled connection keeps its count of changed rows as its transaction began.
CHANGES_AT_BEGIN = "ticketdesk_changes_at_begin"


def note_begin(connection: PoolProxiedConnection) -> None:
    """Remember how many rows `connection` had changed when its transaction began."""
    connection.info[CHANGES_AT_BEGIN] = _total_changes(connection)


def changed_rows(connection: PoolProxiedConnection) -> bool:
    """Whether the transaction now ending on `connection` changed rows (DDL alone does not
    count: migrations also write their version row)."""
    return _total_changes(connection) != connection.info.get(CHANGES_AT_BEGIN)


def _total_changes(connection: PoolProxiedConnection) -> int:
    dbapi_connection: sqlite3.Connection = connection.dbapi_connection  # type: ignore[assignment]
    return dbapi_connection.total_changes


def flush_log(database_path: str) -> None:
    """Flush the database's write-ahead log (everything committed to it so far) to disk."""
    try:
        descriptor = os.open(f"{database_path}-wal", os.O_RDONLY)
    except FileNotFoundError:
        # No log: the last connection to close copied it into the database file, and
        # synced that file, before deleting it.
        return
    # macOS has no fdatasync; there SQLite itself uses fsync.
    sync = getattr(os, "fdatasync", os.fsync)
    try:
        sync(descriptor)
    finally:
        os.close(descriptor)
