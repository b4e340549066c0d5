"""What a request reaches for: the app's state, its database sessions, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ticketdesk.accounts.actor import Caller
from ticketdesk.db import Database
from ticketdesk.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    settings: Settings
    database: Database
    # The analytics service only reads, so it may be a replica; often the same database.
    analytics_database: Database


def app_state() -> AppState:
    state: AppState = current_app.extensions["ticketdesk"]
    return state


def db_session() -> Session:
    """The request's session on the main database; write requests take the write lock."""
    if "db_session" not in g:
        database = app_state().database
        reads = request.method in SAFE_METHODS
        g.db_session = database.read_session() if reads else database.session(write=True)
    session: Session = g.db_session
    return session


def read_connection() -> Connection:
    """The request's connection from the read pool, for a read that runs Core statements
    only: without the ORM Session around it, whose transaction bookkeeping was about a
    tenth of a ticket read's py-spy samples (bench/RESULTS.md, sessions 14 and 15)."""
    if "read_connection" not in g:
        g.read_connection = app_state().database.read_engine.connect()
    connection: Connection = g.read_connection
    return connection


@contextmanager
def lookup_session() -> Iterator[Session]:
    """Where the guards look up who is asking: usually the request's own session.

    A write request on SQLite looks up in a short read session of its own instead, so that
    its write transaction (which holds SQLite's one write lock, and the writers' turn, from
    its first statement to its commit) starts only when the view starts writing. What is
    found is kept as plain values (`Caller`, and the web session's loaded attributes), so it
    outlives the look-up session. PostgreSQL locks rows, not the database, so there the
    extra connection would only cost.
    """
    if not _looks_up_apart():
        yield db_session()
        return
    with app_state().database.read_session() as session:
        yield session


def _looks_up_apart() -> bool:
    database = app_state().database
    return request.method not in SAFE_METHODS and database.engine.dialect.name == "sqlite"


def analytics_connection() -> Connection:
    """The request's connection to the analytics database: the memo reads its change counts
    on it in Core alone (an answer from memory needs no ORM Session), and a figure computed
    afresh runs on it through `analytics_session`."""
    if "analytics_connection" not in g:
        g.analytics_connection = app_state().analytics_database.read_engine.connect()
    connection: Connection = g.analytics_connection
    return connection


def analytics_session() -> Session:
    if "analytics_session" not in g:
        g.analytics_session = Session(bind=analytics_connection(), expire_on_commit=False)
    session: Session = g.analytics_session
    return session


def close_sessions(_error: BaseException | None = None) -> None:
    for name in ("db_session", "analytics_session"):
        session: Session | None = g.pop(name, None)
        if session is not None:
            session.close()
    for name in ("read_connection", "analytics_connection"):
        connection: Connection | None = g.pop(name, None)
        if connection is not None:
            connection.close()


def current_user() -> Caller:
    """The user the request authenticated as (set by the auth guard before the view)."""
    caller: Caller = g.user
    return caller
