"""Engines, sessions and the declarative base, for SQLite and PostgreSQL alike."""

from __future__ import annotations

import contextlib
import select
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import DateTime, Engine, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from ticketdesk import sqlite_search, sqlite_turns
from ticketdesk.files import file_identity

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A connection carrying this execution option opens its transaction with BEGIN IMMEDIATE on
# SQLite, taking the write lock up front so that concurrent writers queue on the busy timeout
# instead of failing with "database is locked" when a read transaction tries to upgrade.
IMMEDIATE = "ticketdesk_immediate"
# A pooled PostgreSQL connection idle for longer than this is pinged before use.
PING_AFTER_IDLE_S = 1.0


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone")
        value = value.astimezone(UTC)
        # SQLite has no time zone type: keep UTC wall time so text comparison orders correctly.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the values."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


def normalize_url(url: str) -> str:
    """Send plain postgresql:// URLs to psycopg 3, the driver ticketdesk ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite database URL; None for PostgreSQL and in-memory SQLite."""
    if not is_sqlite(url):
        return None
    path = make_url(normalize_url(url)).database
    return path if path not in (None, "", ":memory:") else None


# Set on each PostgreSQL connection, whatever the server's defaults are. A request never
# waits on a lock or a runaway query for ever, and a commit is acknowledged only once it is
# flushed to the server's disk (see "Durability and operations" in the README). No parallel
# workers: a server answers many requests at once on a few cores, so a query's helpers only
# compete with the other requests: with 8 clients at a million tickets, an agent's search for
# a common word (a parallel scan) ran at 1-2/s, p50 3.7-4.6 s, and at 7/s, p50 0.9-1.0 s
# without them; the analytics endpoints and the lists ran as fast or faster.
SESSION_SETTINGS = (
    "lock_timeout=15000",
    "statement_timeout=60000",
    "synchronous_commit=on",
    "max_parallel_workers_per_gather=0",
)


def create_db_engine(
    url: str,
    *,
    busy_timeout_ms: int = 15_000,
    connect_timeout_s: int = 5,
    pool_size: int = 5,
    sqlite_synchronous: str = "FULL",
    create: bool = False,
    autocommit: bool = False,
) -> Engine:
    """An engine for `url`. Only with `create` (migrations) may a missing SQLite file be
    made: anywhere else a missing file means the database is unreachable, not empty.
    `autocommit` opens every connection without transactions, for reading only: its
    connections refuse to write (SQLite's `query_only`, PostgreSQL's read-only default)."""
    url = normalize_url(url)
    if is_sqlite(url):
        return _sqlite_engine(
            url, busy_timeout_ms, sqlite_synchronous, create=create, reading=autocommit
        )
    # Set once when a connection opens: set at each checkout and reset at each checkin, as an
    # execution option would, it cost as much CPU as a ticket read's query.
    reading: dict[str, Any] = (
        {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if autocommit else {}
    )
    settings = [*SESSION_SETTINGS, *(["default_transaction_read_only=on"] if autocommit else [])]
    engine = create_engine(
        url,
        **reading,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=connect_timeout_s,
        connect_args={
            "connect_timeout": connect_timeout_s,
            "options": " ".join(f"-c {setting}" for setting in settings),
            # A connection to a server that vanished without closing it is noticed by TCP.
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 5,
            "keepalives_count": 3,
            "tcp_user_timeout": 15_000,
        },
    )
    _ping_when_in_doubt(engine)
    return engine


def _ping_when_in_doubt(engine: Engine) -> None:
    """Check a pooled connection before handing it out when it sat idle or the server has
    written to it since, and replace it if dead.

    A connection idle through a database restart or a network cut fails on its next use;
    pinging it first (SQLAlchemy's `pool_pre_ping`) costs three round trips on every
    request, a third of a ticket read's. Instead a connection is pinged when it sat idle for
    `PING_AFTER_IDLE_S`, or when its socket has something to read: nothing is due on an idle
    connection, so the server (or something between) closed it or is saying why. That look
    is one system call, and catches a restart however soon the connection is reused, and in
    every pool of the process, not only the one whose request met the outage. What neither
    catches (a cut that no packet announces, within the idle time) fails that one request
    (503) and makes SQLAlchemy discard the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return
        recently_used = time.monotonic() - idle_since < PING_AFTER_IDLE_S
        try:
            if recently_used and not _can_read(dbapi_connection.fileno()):
                return
            engine.dialect.do_ping(dbapi_connection)
            dbapi_connection.rollback()
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool then opens a fresh connection in its place (or fails: 503).
            raise DisconnectionError("a pooled connection died") from error


def _can_read(socket_fd: int) -> bool:
    """Whether an idle connection's socket can be read: it was closed or reset, or the
    server sent a message (such as why it is ending the session). No round trip."""
    poller = select.poll()
    poller.register(socket_fd, select.POLLIN)
    return bool(poller.poll(0))


# Pages of the database file read through a memory map of it, shared by every connection
# and worker, rather than copied by a read() call into each connection's own page cache (2
# MB by default, far less than the pages a million tickets' figures visit).
SQLITE_MMAP_BYTES = 1 << 30


def _sqlite_engine(
    url: str, busy_timeout_ms: int, synchronous: str, *, create: bool, reading: bool = False
) -> Engine:
    """A SQLite engine. `reading`: each statement is its own read transaction (no BEGIN and
    ROLLBACK around a request), on connections that refuse to write (`query_only`)."""
    parsed = make_url(url)
    path = sqlite_file(url)
    if path and create:
        with contextlib.suppress(OSError):  # if it cannot be made, connecting says why
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    if path:
        # Open, never create (but to migrate): a file gone missing must not be replaced by an
        # empty database. A URI also lets the search index be attached read-only.
        parsed = parsed.set(database=f"file:{quote(path)}").update_query_dict(
            {"mode": "rwc" if create else "rw", "uri": "true"}
        )
    unbegun: dict[str, Any] = (
        {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None} if reading else {}
    )
    engine = create_engine(
        parsed,
        **unbegun,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL's one extra sync, at each commit, is made after the commit (sqlite_flush).
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        if reading:
            cursor.execute("PRAGMA query_only=ON")
        else:
            # A ticket opens through a TEMP view (`tickets.opening`), and a statement on the
            # temp schema kept in a file opened, journaled and deleted a file at each create.
            cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()
        sqlite_search.attach(dbapi_connection, path)
        if path:
            record.info["file"] = file_identity(path)
            record.info["search_index"] = sqlite_search.index_identity(path)

    if path:
        _drop_when_files_change(engine, path)
    if not reading:  # a reading engine has no transactions to begin or end, nor writes
        sqlite_turns.install(
            engine,
            database_path=path,
            timeout_s=busy_timeout_ms / 1000,
            immediate_option=IMMEDIATE,
            flush_commits=synchronous == "FULL",
        )
    return engine


def _drop_when_files_change(engine: Engine, path: str) -> None:
    """Drop a pooled connection whose database file or search index is no longer the one
    it opened: it keeps that file even after it is moved, deleted or replaced (a restore, a
    lost mount), and writing there would be writing into a ghost. Reconnecting says what is
    wrong, or attaches the index's successor (one set aside as damaged, or lost)."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if file_identity(path) != record.info.get("file"):
            raise DisconnectionError("the database file was moved, replaced or deleted")
        if sqlite_search.index_identity(path) != record.info.get("search_index"):
            raise DisconnectionError("the search index was replaced")


@dataclass
class Database:
    """One database: its engine, the engine its read-only sessions use, and the sessions."""

    engine: Engine
    read_engine: Engine
    _write_engine: Engine = field(init=False)

    def __post_init__(self) -> None:
        self._write_engine = self.engine.execution_options(**{IMMEDIATE: True})

    def session(self, *, write: bool = False) -> Session:
        """A new session; `write=True` takes SQLite's write lock when its transaction begins."""
        return Session(bind=self._write_engine if write else self.engine, expire_on_commit=False)

    def read_session(self) -> Session:
        """A new session for work that only reads (on PostgreSQL without a transaction)."""
        return Session(bind=self.read_engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def open_database(url: str, **options: Any) -> Database:
    """The database at `url`; `options` are `create_db_engine`'s.

    Read-only sessions run without a transaction, on connections from a pool of their own,
    in autocommit from the start: each statement reads its own snapshot, as PostgreSQL's
    READ COMMITTED gives every statement anyway. That saves the BEGIN and ROLLBACK around a
    request: on PostgreSQL two of a ticket read's four round trips; on SQLite, where they
    cost no round trip, the CPU of running them (a tenth of a ticket read's, see
    bench/RESULTS.md, session 12). In-memory SQLite (tests) has one database per
    connection, so it keeps one engine.
    """
    engine = create_db_engine(url, **options)
    if engine.dialect.name == "sqlite" and sqlite_file(url) is None:
        return Database(engine, read_engine=engine)
    return Database(engine, read_engine=create_db_engine(url, **options, autocommit=True))
