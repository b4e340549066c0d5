"""Read-only work runs without a transaction, on connections that refuse to write."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import DBAPIError

from tests.factories import Actor
from ticketdesk.db import Database
from ticketdesk.tickets.models import Ticket
from ticketdesk.web.context import app_state


def test_a_read_session_reads_outside_any_transaction(database: Database, backend: str) -> None:
    with database.read_session() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 0
        connection = session.connection().connection.dbapi_connection
        if backend == "sqlite":
            assert connection is not None and not connection.in_transaction
        else:
            assert connection is not None and connection.autocommit


def test_a_read_session_refuses_to_write(database: Database, agent: Actor) -> None:
    ticket = agent.create_ticket(title="Before")
    with database.read_session() as session, pytest.raises(DBAPIError, match=r"read-?only"):
        session.execute(update(Ticket).values(title="After"))
    assert agent.get(f"/api/tickets/{ticket['id']}").get_json()["title"] == "Before"


@contextmanager
def transaction_statements(app: Flask) -> Iterator[list[str]]:
    """The BEGINs (SQLite's are statements) sent on either of the app's engines."""
    with app.app_context():
        database = app_state().database
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    engines = {database.engine, database.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_sqlite_begins_only_for_writes(app: Flask, agent: Actor, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's transactions begin with a statement; PostgreSQL's driver begins them")
    ticket = agent.create_ticket()
    with transaction_statements(app) as reads:
        assert agent.get(f"/api/tickets/{ticket['id']}").status_code == 200
        assert agent.get("/api/tickets?q=printer").status_code == 200
    assert reads == []
    with transaction_statements(app) as writes:
        answer = agent.post(f"/api/tickets/{ticket['id']}/comments", json={"content": "hi"})
        assert answer.status_code == 201
    assert writes == ["BEGIN IMMEDIATE"]
