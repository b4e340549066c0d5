"""Precompiled statements give what SQLAlchemy gives: the same values, the same errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    bindparam,
    column,
    event,
    func,
    insert,
    select,
    table,
    type_coerce,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.factories import Actor
from tests.resilience.proxy import ProxiedPostgres
from ticketdesk.accounts.models import User
from ticketdesk.db import Database, open_database
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Comment, Ticket

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


def test_numbers_are_converted_as_the_driver_describes_them(
    database: Database, agent: Actor
) -> None:
    # A Float's conversion depends on what the driver returns: on PostgreSQL the mean of
    # integers is a numeric (a Decimal, turned into a float), a float8 is a float already.
    for _ in range(3):
        agent.create_ticket()
    means = select(
        func.avg(Ticket.id).cast(Float).label("as_float8"),
        func.avg(Ticket.id).label("as_numeric"),
        type_coerce(func.avg(Ticket.id), Float).label("numeric_as_float"),
    )
    with database.read_session() as session:
        connection = session.connection()
        expected = [tuple(row) for row in connection.execute(means)]
        found = [Precompiled(means).rows(connection, {}) for _run in range(2)]
    assert found == [expected, expected]
    assert [type(value) for value in found[1][0]] == [type(value) for value in expected[0]]
    assert isinstance(found[1][0][2], float) and found[1][0][2] == 2.0


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


def test_lists_and_literal_values_are_rendered_as_sqlalchemy_renders_them(
    database: Database, agent: Actor
) -> None:
    for title in ("One", "Two", "Three"):
        agent.create_ticket(title=title, status="in_progress" if title == "Two" else "open")
    # An IN list of enum values (each through its type's processor) and a LIMIT written
    # into the SQL, as the queue page's statements have.
    newest = Precompiled(
        select(Ticket.title)
        .where(Ticket.status.in_(bindparam("statuses", expanding=True)))
        .where(Ticket.id >= bindparam("from_id"))
        .order_by(Ticket.id.desc())
        .limit(bindparam("depth", type_=Integer(), literal_execute=True))
    )
    with database.read_session() as session:
        connection = session.connection()
        for statuses, depth in ((["open"], 5), (["open", "in_progress"], 2), ([], 3)):
            params = {"statuses": statuses, "from_id": 1, "depth": depth}
            expected = [tuple(row) for row in connection.execute(newest.statement, params)]
            assert newest.rows(connection, params) == expected
        assert newest.rows(connection, {"statuses": ["open"], "from_id": 1, "depth": 5}) == [
            ("Three",),
            ("One",),
        ]
        assert newest.rows(connection, {"statuses": [], "from_id": 1, "depth": 5}) == []


def test_expanded_statements_run_one_row_of_values_at_a_time(database: Database) -> None:
    listed = Precompiled(select(Ticket.id).where(Ticket.id.in_(bindparam("ids", expanding=True))))
    with database.read_session() as session, pytest.raises(ValueError, match="one row"):
        listed.run_many(session.connection(), [{"ids": [1]}])


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


INSERT_COMMENT = insert(Comment.__table__).returning(  # type: ignore[arg-type]
    Comment.__table__.c.id, Comment.__table__.c.internal, Comment.__table__.c.created_at
)
WRITTEN_AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def a_comment(ticket_id: int, author_id: int, content: str | None = "Noted") -> dict[str, Any]:
    # No `internal`: its default (False) is a value SQLAlchemy binds like any other.
    return {
        "ticket_id": ticket_id,
        "author_id": author_id,
        "content": content,
        "created_at": WRITTEN_AT,
    }


def comments_on(database: Database, ticket_id: int) -> list[tuple[Any, ...]]:
    with database.read_session() as session:
        query = (
            select(Comment.id, Comment.content, Comment.internal, Comment.created_at)
            .where(Comment.ticket_id == ticket_id)
            .order_by(Comment.id)
        )
        return [tuple(row) for row in session.execute(query)]


@contextmanager
def writing_refused(
    database: Database, error: type[Exception], *, match: str
) -> Iterator[Connection]:
    """A write transaction's connection, where what runs must raise `error`."""
    with (
        database.session(write=True) as session,
        session.begin(),
        pytest.raises(error, match=match),
    ):
        yield session.connection()


def test_an_insert_stores_and_returns_what_sqlalchemy_would(
    database: Database, agent: Actor
) -> None:
    ticket = agent.create_ticket()
    inserting = Precompiled(INSERT_COMMENT)
    with database.session(write=True) as session, session.begin():
        returned = inserting.rows(session.connection(), a_comment(ticket["id"], agent.user_id))
    assert len(returned) == 1
    comment_id, internal, created_at = returned[0]
    assert (internal, created_at) == (False, WRITTEN_AT)
    assert comments_on(database, ticket["id"]) == [(comment_id, "Noted", False, WRITTEN_AT)]


def test_many_rows_are_inserted_in_one_go(database: Database, agent: Actor) -> None:
    ticket = agent.create_ticket()
    rows = [a_comment(ticket["id"], agent.user_id, content) for content in ("one", "two")]
    with database.session(write=True) as session, session.begin():
        Precompiled(insert(Comment.__table__)).run_many(session.connection(), rows)  # type: ignore[arg-type]
    stored = comments_on(database, ticket["id"])
    assert [content for _id, content, *_rest in stored] == ["one", "two"]
    assert {created_at for *_rest, created_at in stored} == {WRITTEN_AT}


@pytest.mark.parametrize("listened", [False, True], ids=["on the driver", "through SQLAlchemy"])
def test_values_bound_before_the_transaction_are_written_inside_it(
    database: Database, agent: Actor, listened: bool
) -> None:
    ticket = agent.create_ticket()
    dialect = database.engine.dialect
    inserting = Precompiled(INSERT_COMMENT).bind(dialect, a_comment(ticket["id"], agent.user_id))
    rows = [a_comment(ticket["id"], agent.user_id, content) for content in ("two", "three")]
    inserting_many = Precompiled(insert(Comment.__table__)).bind_many(dialect, rows)  # type: ignore[arg-type]
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with database.session(write=True) as session, session.begin():
        connection = session.connection()
        if listened:
            event.listen(connection, "before_cursor_execute", record)
        ((comment_id, internal, created_at),) = inserting.rows(connection)
        inserting_many.run(connection)
    assert (internal, created_at) == (False, WRITTEN_AT)
    stored = comments_on(database, ticket["id"])
    assert stored[0][:2] == (comment_id, "Noted")
    assert [content for _id, content, *_rest in stored] == ["Noted", "two", "three"]
    assert len([statement for statement in seen if "INSERT" in statement]) == (2 if listened else 0)


def test_rows_returned_by_many_rows_at_once_are_refused(database: Database, agent: Actor) -> None:
    ticket = agent.create_ticket()
    with writing_refused(database, ValueError, match="returns rows") as connection:
        Precompiled(INSERT_COMMENT).run_many(connection, [a_comment(ticket["id"], agent.user_id)])


def test_python_side_defaults_must_be_given(database: Database, agent: Actor) -> None:
    ticket = agent.create_ticket()
    values = a_comment(ticket["id"], agent.user_id)
    del values["created_at"]  # its default is a Python function, run per row
    with writing_refused(database, ValueError, match="give created_at") as connection:
        Precompiled(INSERT_COMMENT).rows(connection, values)


def test_an_insert_refused_by_the_database_raises_as_sqlalchemy_raises(
    database: Database, agent: Actor
) -> None:
    ticket = agent.create_ticket()
    with writing_refused(database, IntegrityError, match="content") as connection:
        Precompiled(INSERT_COMMENT).rows(
            connection, a_comment(ticket["id"], agent.user_id, content=None)
        )
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Comment)) == 0
