"""Writers to one SQLite file take turns here before SQLite's own write lock.

SQLite lets one writer in at a time, and a writer that finds the lock taken waits in SQLite's
busy handler, which sleeps 1, 2, 5, 10 ... up to 100 ms between tries. Under concurrent
writes the lock is mostly free while the waiters sleep: creating tickets from 8 clients ran
slower with 8 server threads than with one, and the slowest 1% waited over 300 ms. Here the
threads of a process queue on a lock that hands over as soon as it is released, and
processes take turns through an `flock` on a file beside the database, which the kernel also
drops when a process dies. SQLite's lock stays what keeps the data safe: a writer that gets
no turn (another program writing, the lock file unusable) still waits on it as before.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import OperationalError

from ticketdesk import sqlite_flush
from ticketdesk.precompiled import on_driver

# How long a process that missed its turn sleeps before trying the file lock again. Only one
# thread per process polls (the others queue on the thread lock), so this costs little.
POLL_S = 0.0005
BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"


class WriterTurns:
    def __init__(self, lock_path: str | None, timeout_s: float) -> None:
        self._lock_path = lock_path
        self._timeout_s = timeout_s
        self._threads = threading.Lock()
        self._file: int | None = None
        self._file_pid = 0  # a descriptor inherited through fork shares its lock: reopen
        self._holder: Any = None

    def begin(self, dbapi_connection: Any) -> None:
        """Wait for `dbapi_connection`'s turn to write; 503 (OperationalError) on timeout."""
        deadline = time.monotonic() + self._timeout_s
        if not self._threads.acquire(timeout=self._timeout_s):
            raise _locked()
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise
        self._holder = dbapi_connection

    def end(self, dbapi_connection: Any) -> None:
        """Pass the turn on, if `dbapi_connection` holds it (safe to call when it does not)."""
        # SQLAlchemy hands the dialect the pool's proxy of a connection, or the connection.
        if getattr(dbapi_connection, "dbapi_connection", dbapi_connection) is not self._holder:
            return
        self._holder = None
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        if self._lock_path is None:
            return
        if self._file is None or self._file_pid != os.getpid():
            try:
                self._file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                self._file = None
                return  # no turns between processes; SQLite's busy handler still serializes
            self._file_pid = os.getpid()
        while True:
            try:
                fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _locked() from None
                time.sleep(POLL_S)


def _locked() -> OperationalError:
    return OperationalError(BEGIN_IMMEDIATE, None, Exception("database is locked"))


def lock_file(database_path: str) -> str:
    """The file whose `flock` the processes writing to `database_path` take turns on."""
    return f"{database_path}-writers.lock"


def install(
    engine: Engine,
    *,
    database_path: str | None,
    timeout_s: float,
    immediate_option: str,
    flush_commits: bool = False,
) -> None:
    """Begin `engine`'s transactions: BEGIN to read; to write (connections carrying
    `immediate_option`), a turn and then BEGIN IMMEDIATE, the turn ending once the COMMIT or
    ROLLBACK is done. An in-memory database (no path) has only its threads to order. With
    `flush_commits`, a commit that changed rows is then flushed to disk (`sqlite_flush`)."""
    turns = WriterTurns(lock_file(database_path) if database_path else None, timeout_s)
    flush_path = database_path if flush_commits else None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if flush_path is not None:
            sqlite_flush.note_begin(connection.connection)
        if not connection.get_execution_options().get(immediate_option, False):
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        turns.begin(dbapi_connection)
        try:
            _begin_immediate(connection)
        except BaseException:
            turns.end(dbapi_connection)
            raise

    _end_turns_after(engine, turns, flush_path)


def _begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE on the driver's connection (`precompiled.on_driver`). Run through
    SQLAlchemy (an execution context, a cursor result), it was a tenth of the time a create
    held the write lock, single-threaded; the lock is held from here to the commit."""

    def begin(cursor: Any) -> list[tuple[Any, ...]]:
        cursor.execute(BEGIN_IMMEDIATE)
        return []

    if on_driver(connection, BEGIN_IMMEDIATE, begin) is None:
        connection.exec_driver_sql(BEGIN_IMMEDIATE)


def _end_turns_after(engine: Engine, turns: WriterTurns, flush_path: str | None) -> None:
    """SQLAlchemy's commit and rollback events fire before the statement, so the dialect's
    own methods are wrapped: a turn must last until SQLite has released its lock. A commit's
    flush comes after that, so that the next writer need not wait for it."""
    dialect = engine.dialect

    def ending_the_turn(
        method: Callable[[Any], None], *, flush_to: str | None
    ) -> Callable[[Any], None]:
        def run(dbapi_connection: Any) -> None:
            # Commits are handed the pool's proxy of the connection, which `note_begin` marked.
            changed = flush_to is not None and sqlite_flush.changed_rows(dbapi_connection)
            try:
                method(dbapi_connection)
            finally:
                turns.end(dbapi_connection)
            if flush_to is not None and changed:
                sqlite_flush.flush_log(flush_to)

        return run

    # Instance attributes shadow the methods for this engine's dialect only.
    for name in ("do_commit", "do_rollback", "do_close"):
        flush_to = flush_path if name == "do_commit" else None
        setattr(dialect, name, ending_the_turn(getattr(dialect, name), flush_to=flush_to))
