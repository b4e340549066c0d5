"""The bulk path: values exactly as typed (COPY's escapes, times, nulls) whichever the
database, tables whole again after a deferred-index load, ids that tolerate a busy sequence."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import psycopg
import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ticketdesk.accounts.models import User
from ticketdesk.analytics.indexes import WORTH_IT, ConstraintBroken, locked_against_readers
from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.db import Database
from ticketdesk.imports import formats
from ticketdesk.imports.bulk import bulk_insert
from ticketdesk.imports.service import import_tickets
from ticketdesk.tickets.models import Ticket, TicketChange

# What each database's driver raises (COPY goes to psycopg directly).
REFUSED = (IntegrityError, psycopg.errors.IntegrityError)
AWKWARD = [
    "tab\there",
    "back\\slash and \\N and \\t spelled out",
    "line\nbreak, carriage\r\nreturn",
    '"quoted", with commas',
    "\\N",
    "ünïcödé ✓",
]


def csv_of(texts: list[str]) -> bytes:
    frame = pd.DataFrame(
        {
            "title": [value[:200] for value in texts],
            "description": texts,
            "status": "closed",
            "category": texts,
            "opened_at": "2024-03-01T10:00:00.123456+05:30",
            "resolved_at": "",
            "closed_at": "2024-03-02 23:59:59.999999",
            "requester_email": "someone@example.com",
        }
    )
    return frame.to_csv(index=False).encode()


def test_awkward_text_and_times_arrive_as_written(database: Database, session: Session) -> None:
    with database.session(write=True) as writer, writer.begin():
        import_tickets(writer, data=csv_of(AWKWARD), source="odd\tname\\.csv")
    tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    assert [ticket.description for ticket in tickets] == [
        value.strip() for value in AWKWARD
    ]  # the import trims surrounding whitespace, nothing else
    assert [ticket.category for ticket in tickets] == [value.strip() for value in AWKWARD]
    assert {ticket.opened_at for ticket in tickets} == {
        datetime(2024, 3, 1, 4, 30, 0, 123456, tzinfo=UTC)
    }
    assert {ticket.closed_at for ticket in tickets} == {
        datetime(2024, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)
    }
    assert {ticket.resolved_at for ticket in tickets} == {None}
    history = session.scalars(select(TicketChange)).all()
    assert {change.old_value for change in history} == {None}
    assert {change.actor_id for change in history} == {None}
    assert history[0].new_value == "closed (from odd\tname\\.csv, line 2)"


def test_copy_text_escapes_and_nulls() -> None:
    column = pd.Series(["a\tb", "c\\d", None, "e\nf\rg", "\\N"], dtype="str")
    assert formats.copy_text(column) == ["a\\tb", "c\\\\d", "\\N", "e\\nf\\rg", "\\\\N"]
    assert formats.copy_text(pd.Series([None, None], dtype=object)) == ["\\N", "\\N"]
    assert formats.copy_text(pd.Series([True, False])) == ["t", "f"]
    assert formats.copy_text(pd.Series([3, -1])) == ["3", "-1"]
    with pytest.raises(ValueError, match="NUL"):
        formats.copy_text(pd.Series(["a\x00b"]))


def test_times_are_utc_text_each_database_reads() -> None:
    moments = pd.Series(
        pd.to_datetime(
            ["2024-01-05T10:00:00.5+02:00", None, "1900-01-01T00:00:00Z"],
            utc=True,
            format="ISO8601",
        )
    ).astype("datetime64[us, UTC]")
    assert formats.copy_columns(pd.DataFrame({"at": moments}))["at"] == [
        "2024-01-05T08:00:00.500000Z",
        "\\N",
        "1900-01-01T00:00:00.000000Z",
    ]
    # SQLite: the text UTCDateTime stores, which sorts as the times do.
    assert formats.sqlite_columns(pd.DataFrame({"at": moments}))["at"] == [
        "2024-01-05 08:00:00.500000",
        None,
        "1900-01-01 00:00:00.000000",
    ]


def test_stored_times_match_what_the_orm_stores(
    database: Database, session: Session, backend: str
) -> None:
    """On SQLite times are text: a bulk-loaded one must be the very text the ORM writes."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL stores timestamptz, not text")
    moment = datetime(2024, 3, 1, 4, 30, 0, 123456, tzinfo=UTC)
    with database.session(write=True) as writer, writer.begin():
        result = import_tickets(writer, data=csv_of(["x"]), source="t.csv", now=moment)
        ticket_id = result.first_ticket_id
        assert ticket_id is not None
        writer.add(TicketChange(ticket_id=ticket_id, changed_at=moment, field="by hand"))
        writer.flush()
        stored = writer.scalars(text("SELECT changed_at FROM ticket_changes ORDER BY id"))
        bulk, orm = stored.all()
        assert bulk == orm == "2024-03-01 04:30:00.123456"


@pytest.mark.slow
def test_a_large_load_leaves_every_index_and_key(database: Database, session: Session) -> None:
    """60,000 rows: indexes (and on PostgreSQL foreign keys) are dropped for the load and
    must all be back afterwards, exactly as the migrations made them."""
    before = _schema(database)
    rows = [f"ticket {number}" for number in range(60_000)]
    with database.session(write=True) as writer, writer.begin():
        result = import_tickets(writer, data=csv_of(rows), source="big.csv")
    assert result.tickets == 60_000
    assert _schema(database) == before
    # A rebuild on its own never locks the tickets against readers for its foreign key.
    with database.session(write=True) as writer, writer.begin():
        connection = writer.connection()
        rebuild_all(connection)
        assert not locked_against_readers(connection, Ticket.__table__)  # type: ignore[arg-type]
    assert _schema(database) == before


def _schema(database: Database) -> dict[str, object]:
    inspector = inspect(database.engine)
    schema: dict[str, object] = {}
    for table in ("tickets", "ticket_changes", "analytics_resolutions", "users"):
        schema[table] = (
            sorted(
                (index["name"], tuple(index["column_names"]))
                for index in inspector.get_indexes(table)
            ),
            sorted(
                (
                    key["name"],
                    tuple(key["constrained_columns"]),
                    key["referred_table"],
                    str(key["options"]),
                )
                for key in inspector.get_foreign_keys(table)
            ),
        )
    return schema


def test_ids_when_another_session_draws_meanwhile(
    database: Database, session: Session, backend: str
) -> None:
    """Ids drawn from a sequence that does not hand out one unbroken run (as when another
    session draws at the same moment) are still each ticket's own."""
    if backend != "postgresql":
        pytest.skip("SQLite holds the write lock: its ids are always one run")
    with database.session(write=True) as writer:
        try:
            writer.execute(text("ALTER SEQUENCE tickets_id_seq INCREMENT BY 3"))
            result = import_tickets(writer, data=csv_of(["a", "b", "c"]), source="t.csv")
            ids = writer.scalars(select(Ticket.id).order_by(Ticket.id)).all()
            assert len(set(ids)) == 3 and ids[1] - ids[0] == 3
            assert (result.first_ticket_id, result.last_ticket_id) == (ids[0], ids[-1])
            history = select(TicketChange.ticket_id).order_by(TicketChange.ticket_id)
            assert writer.scalars(history).all() == ids
        finally:
            writer.rollback()
            writer.execute(text("ALTER SEQUENCE tickets_id_seq INCREMENT BY 1"))
            writer.commit()


@pytest.mark.slow
def test_a_large_load_still_refuses_what_the_schema_refuses(
    database: Database, session: Session, backend: str
) -> None:
    """On SQLite a large load sets CHECK constraints aside and checks them after: a bad row
    still fails the load, and the constraints are enforced again afterwards."""
    with database.session(write=True) as writer, writer.begin():
        import_tickets(writer, data=csv_of(["x"]), source="t.csv")
        requester_id = writer.scalar(select(Ticket.requester_id))
    rows = pd.DataFrame(
        {
            "id": range(10, 10 + WORTH_IT),
            "title": "t",
            "description": "d",
            "status": ["open"] * (WORTH_IT - 1) + ["bogus"],
            "category": "c",
            "priority": "normal",
            "requester_id": requester_id,
            "opened_at": pd.Timestamp("2024-01-01", tz="UTC"),
            "updated_at": pd.Timestamp("2024-01-01", tz="UTC"),
            "version": 1,
        }
    )
    table = Ticket.__table__
    with database.session(write=True) as writer, writer.begin():
        with pytest.raises((ConstraintBroken, *REFUSED)):
            bulk_insert(writer, table, rows)  # type: ignore[arg-type]
        writer.rollback()
    with database.session(write=True) as writer, writer.begin():
        with pytest.raises(REFUSED):
            bulk_insert(writer, table, rows.tail(2))  # type: ignore[arg-type]
        writer.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_values_shared_by_every_row_arrive_as_written(database: Database, session: Session) -> None:
    """SQLite gets values all rows share written into the statement: quotes and all."""
    name = "O'Brien'); DROP TABLE users; --"
    users = pd.DataFrame(
        {
            "email": [f"person{number}@example.com" for number in range(3)],
            "name": name,
            "role": "requester",
            "password_hash": None,
            "is_active": True,
            "created_at": pd.Timestamp("2024-01-01T12:00:00.5", tz="UTC"),
        }
    )
    with database.session(write=True) as writer, writer.begin():
        bulk_insert(writer, User.__table__, users)  # type: ignore[arg-type]
    stored = session.execute(select(User.name, User.is_active, User.created_at)).all()
    assert stored == [(name, True, datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=UTC))] * 3
    assert formats.sqlite_literal(["it's", "it's"]) == "'it''s'"
    assert formats.sqlite_literal([1, 2]) is None
