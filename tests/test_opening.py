"""A ticket opens in one statement (`ticketdesk.tickets.opening`): the ticket, its first
history entry and its share of the counters, all or nothing; on SQLite through a TEMP view
that each connection makes for itself, again after a rollback undid it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ticketdesk.accounts.models import Role, User
from ticketdesk.accounts.service import create_user
from ticketdesk.analytics.models import OpenedCount, OpenedMonth, StatusCount
from ticketdesk.db import IMMEDIATE, Database
from ticketdesk.enums import Status
from ticketdesk.tickets.models import Ticket, TicketChange
from ticketdesk.tickets.service import create_ticket


def _requester(database: Database) -> User:
    with database.session(write=True) as session, session.begin():
        user = create_user(session, email="opening@example.com", role=Role.REQUESTER)
        session.expunge(user)
        return user


def _counted(session: Session, category: str) -> tuple[Any, ...]:
    """How many tickets of `category` each counter says were opened."""
    return tuple(
        session.scalar(select(func.sum(model.tickets)).where(model.category == category))
        for model in (OpenedCount, OpenedMonth, StatusCount)
    )


def _temp_objects(connection: Connection) -> list[str]:
    return sorted(connection.exec_driver_sql("SELECT name FROM sqlite_temp_master").scalars())


def test_what_a_ticket_opens_with(database: Database, app: Any) -> None:
    requester = _requester(database)
    with database.session(write=True) as session, session.begin():
        first = create_ticket(session, actor=requester, description="Printer on fire")
        second = create_ticket(session, actor=requester, description="Still on fire")
    with database.session() as session:
        for opened in (first, second):
            ticket = session.get_one(Ticket, opened["id"])
            assert (ticket.title, ticket.status) == (opened["title"], Status.OPEN)
            history = session.scalars(
                select(TicketChange).where(TicketChange.ticket_id == opened["id"])
            ).all()
            assert [(entry.field, entry.old_value, entry.new_value) for entry in history] == [
                ("status", None, "open")
            ]
            assert history[0].actor_id == requester.id
        assert _counted(session, first["category"]) == (2, 2, 2)


def test_a_failed_opening_leaves_nothing(database: Database, app: Any) -> None:
    """The ticket's requester must exist: the ticket's row fails its foreign key, and the
    history and counters that the same statement would write are not written either."""
    requester = _requester(database)
    with database.session(write=True) as session, session.begin():
        create_ticket(session, actor=requester, description="Printer on fire")
    ghost = User(id=requester.id + 1000, email="ghost@example.com", role=Role.REQUESTER)
    with database.session(write=True) as session:
        session.begin()
        with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
            create_ticket(session, actor=ghost, description="Who am I")
        session.rollback()
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 1
        assert session.scalar(select(func.count()).select_from(TicketChange)) == 1
        assert _counted(session, "general")[2] == 1


def test_sqlite_makes_the_view_again_after_a_rollback(
    database: Database, app: Any, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's statement needs no view")
    requester = _requester(database)
    # One session on one connection, so that each opening meets what the last one left.
    with database.engine.connect() as connection:
        connection.execution_options(**{IMMEDIATE: True})
        with Session(bind=connection, join_transaction_mode="rollback_only") as session:
            create_ticket(session, actor=requester, description="Rolled back")
            assert len(_temp_objects(session.connection())) == 2  # the view and its trigger
            # Kept in memory: a temp schema in a file costs a file made and deleted a create.
            assert session.scalar(text("PRAGMA temp_store")) == 2  # MEMORY
            session.rollback()
            assert _temp_objects(session.connection()) == []
            kept = create_ticket(session, actor=requester, description="Kept")
            session.commit()
            assert len(_temp_objects(session.connection())) == 2
            also = create_ticket(session, actor=requester, description="Also kept")
            session.commit()
    with database.session() as session:
        assert session.scalars(select(Ticket.id).order_by(Ticket.id)).all() == [
            kept["id"],
            also["id"],
        ]
        assert session.scalars(select(TicketChange.ticket_id).order_by(TicketChange.id)).all() == [
            kept["id"],
            also["id"],
        ]
        assert _counted(session, kept["category"]) == (2, 2, 2)


def test_sqlite_gives_the_new_ticket_its_id_after_the_largest_was_deleted(
    database: Database, app: Any, backend: str
) -> None:
    """SQLite numbers a row one past the largest id, so the id a deleted newest ticket had
    comes round again: the statement reads the new ticket's id as the largest."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL returns the id its INSERT made")
    requester = _requester(database)
    with database.session(write=True) as session, session.begin():
        ids = [create_ticket(session, actor=requester, description=f"n{n}")["id"] for n in range(3)]
    with database.session(write=True) as session, session.begin():
        session.execute(text("DELETE FROM ticket_changes WHERE ticket_id = :id"), {"id": ids[-1]})
        session.execute(text("DELETE FROM tickets WHERE id = :id"), {"id": ids[-1]})
        again = create_ticket(session, actor=requester, description="again")
    with database.session() as session:
        assert session.get_one(Ticket, again["id"]).description == "again"
        assert session.scalars(
            select(TicketChange.ticket_id).where(TicketChange.ticket_id == again["id"])
        ).all() == [again["id"]]
