"""Precompiled statements give what SQLAlchemy gives: the same values, the same errors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import bindparam, column, event, select, table
from sqlalchemy.exc import DBAPIError

from tests.factories import Actor
from tests.resilience.proxy import ProxiedPostgres
from ticketdesk.accounts.models import User
from ticketdesk.db import Database, open_database
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket

# Every kind of column the hot statements read: enums, UTC times (some NULL), booleans, text.
EVERY_KIND = (
    select(Ticket.__table__, User.is_active, User.created_at)
    .join(User, User.id == Ticket.requester_id)
    .where(Ticket.id >= bindparam("from_id"))
    .order_by(Ticket.id)
)


def test_rows_hold_the_values_sqlalchemy_gives(
    database: Database, agent: Actor, requester: Actor
) -> None:
    requester.create_ticket(title="Mine", category="billing")
    agent.create_ticket(title="Solved", status="resolved", assignee_id=agent.user_id)
    with database.read_session() as session:
        connection = session.connection()
        expected = [tuple(row) for row in connection.execute(EVERY_KIND, {"from_id": 1})]
        found = Precompiled(EVERY_KIND).rows(connection, {"from_id": 1})
    assert len(found) == 2
    assert found == expected
    assert [type(value) for value in found[1]] == [type(value) for value in expected[1]]
    resolved_at = found[1][Ticket.__table__.c.keys().index("resolved_at")]
    assert resolved_at.utcoffset() is not None and resolved_at.utcoffset().total_seconds() == 0


def test_values_are_bound_as_sqlalchemy_binds_them(database: Database, agent: Actor) -> None:
    ticket = agent.create_ticket()
    by_status = Precompiled(select(Ticket.id).where(Ticket.status == bindparam("status")))
    with database.read_session() as session:
        assert by_status.rows(session.connection(), {"status": "open"}) == [(ticket["id"],)]
        assert by_status.first(session.connection(), {"status": "closed"}) is None


def test_errors_are_raised_as_sqlalchemy_raises_them(database: Database) -> None:
    missing = Precompiled(select(column("x")).select_from(table("no_such_table")))
    with database.read_session() as session, pytest.raises(DBAPIError, match="no_such_table"):
        missing.rows(session.connection(), {})


def test_listeners_see_every_statement(database: Database, agent: Actor) -> None:
    agent.create_ticket()
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    by_id = Precompiled(select(Ticket.title).where(Ticket.id == bindparam("id")))
    event.listen(database.read_engine, "before_cursor_execute", record)
    try:
        with database.read_session() as session:
            assert by_id.rows(session.connection(), {"id": 1}) == [("Printer on fire",)]
    finally:
        event.remove(database.read_engine, "before_cursor_execute", record)
    assert any("FROM tickets" in statement for statement in seen)


def test_lists_expanded_at_execution_are_refused(database: Database) -> None:
    listed = Precompiled(select(Ticket.id).where(Ticket.id.in_(bindparam("ids", expanding=True))))
    with database.read_session() as session, pytest.raises(ValueError, match="expanding"):
        listed.rows(session.connection(), {"ids": [1]})


def test_a_connection_found_dead_is_invalidated_as_sqlalchemy_would(
    backend: str, database_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    proxied = ProxiedPostgres(database_url)
    database = open_database(proxied.url)
    one = Precompiled(select(User.id).where(User.id == bindparam("id")))
    try:
        with database.read_session() as session:
            connection = session.connection()
            assert one.rows(connection, {"id": 1}) == []
            proxied.down()  # the server goes while the connection is in use
            with pytest.raises(DBAPIError) as raised:
                one.rows(connection, {"id": 1})
        assert raised.value.connection_invalidated
        proxied.up()
        with database.read_session() as session:  # the pool has let the dead one go
            assert one.rows(session.connection(), {"id": 1}) == []
    finally:
        database.dispose()
        proxied.close()
