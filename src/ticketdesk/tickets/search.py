"""Text search: tickets whose title or description contains some text, ignoring case.

A substring cannot be found in a b-tree, so each database gets a trigram index (migration
0101): pg_trgm GIN indexes on PostgreSQL, which `ILIKE '%text%'` uses as it is, and on
SQLite an FTS5 table with the trigram tokenizer over the two columns, kept up to date by
triggers on `tickets`. A quoted FTS5 phrase is a run of consecutive trigrams, that is a
substring of one column, so it finds what `ILIKE` finds; its case folding covers all of
Unicode, as PostgreSQL's does in a UTF-8 locale. Text shorter than a trigram has nothing to
look up and is matched by reading every ticket.

The SQLite condition is `id IN (matches)`, not a join with the FTS5 table: joined, SQLite
may walk another index (a category of 80,000 tickets) and query FTS5 once per row, which
took 18 s at a million tickets where the IN list takes 0.1 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import product

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    column,
    func,
    insert,
    or_,
    select,
    table,
)

from ticketdesk.analytics import indexes
from ticketdesk.tickets.models import Ticket

SEARCH_TABLE = "ticket_search"
# Migration 0101 creates these outside the models (autogenerate is told to look away).
TRIGRAM_INDEXES = ("ix_tickets_title_trgm", "ix_tickets_description_trgm")
INSERT_TRIGGER = "ticket_search_insert"
TRIGRAM = 3

_search = table(
    SEARCH_TABLE,
    column("rowid", Integer),
    column("title"),
    column("description"),
    column(SEARCH_TABLE),
)
_sqlite_master = table("sqlite_master", column("type"), column("name"), column("sql"))
_pg_indexes = table("pg_indexes", column("schemaname"), column("indexname"), column("indexdef"))


def narrowed(query: Select[Ticket], text: str, *, dialect: str) -> Select[Ticket]:
    """`query` narrowed to tickets with `text` in their title or description, any case."""
    if dialect == "sqlite" and len(text) >= TRIGRAM:
        return query.where(Ticket.id.in_(_phrase_matches(text)))
    if dialect == "sqlite":
        # SQLite's LIKE folds ASCII only: try each other case of the (at most two) letters.
        return query.where(or_(*(_contains(variant) for variant in _case_variants(text))))
    return query.where(_contains(text))


def _phrase_matches(text: str) -> Select[tuple[int]]:
    phrase = '"' + text.replace('"', '""') + '"'  # inside quotes FTS5 syntax is plain text
    return select(_search.c.rowid).where(_search.c[SEARCH_TABLE].match(phrase))


def _contains(text: str) -> ColumnElement[bool]:
    pattern = "%" + _escape_like(text) + "%"
    return or_(
        Ticket.title.ilike(pattern, escape="\\"),
        Ticket.description.ilike(pattern, escape="\\"),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _case_variants(text: str) -> list[str]:
    """`text` with each character in each of its one-character cases: 'üb' → üb, Üb (ASCII
    letters are left to LIKE)."""
    choices = [
        sorted({char, *(other for other in (char.lower(), char.upper()) if len(other) == 1)})
        if not char.isascii()
        else [char]
        for char in text
    ]
    return ["".join(chars) for chars in product(*choices)]


def is_search_object(name: str | None, kind: str) -> bool:
    """The FTS5 table (and its shadow tables) and the trigram indexes, which the migration
    manages and the models do not describe."""
    if kind == "table":
        return name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))
    return kind == "index" and name in TRIGRAM_INDEXES


@contextmanager
def bulk_load(connection: Connection, *, rows: int) -> Iterator[None]:
    """Tickets inserted inside (inserted only: no updates or deletes) are indexed for search
    on the way out, in one go, in the caller's transaction.

    On SQLite the insert trigger is set aside meanwhile: row by row it made a 1,000,000-row
    import take 250 s instead of 110 s, while one INSERT ... SELECT of the new rows at the end
    adds about 20 s. On PostgreSQL the trigram indexes are built afresh after a load at least
    as big as the table (the rule `analytics.indexes.deferred_indexes` follows, since dropping
    an index locks out readers until commit): 30 s at a million rows, against 70 s more for
    the COPY when they are kept up to date.
    """
    if connection.dialect.name == "sqlite":
        with _insert_trigger_set_aside(connection):
            yield
    elif rows >= indexes.WORTH_IT and _tickets_in(connection) <= rows:
        with _trigram_indexes_rebuilt(connection):
            yield
    else:
        yield


@contextmanager
def _insert_trigger_set_aside(connection: Connection) -> Iterator[None]:
    trigger: str = connection.execute(
        select(_sqlite_master.c.sql).where(
            _sqlite_master.c.type == "trigger", _sqlite_master.c.name == INSERT_TRIGGER
        )
    ).scalar_one()
    newest = connection.scalar(select(func.max(Ticket.id))) or 0
    connection.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
    yield
    connection.exec_driver_sql(trigger)  # as it was, whatever a later migration made it
    new_tickets = select(Ticket.id, Ticket.title, Ticket.description).where(Ticket.id > newest)
    connection.execute(insert(_search).from_select(["rowid", "title", "description"], new_tickets))


@contextmanager
def _trigram_indexes_rebuilt(connection: Connection) -> Iterator[None]:
    definitions = connection.execute(
        select(_pg_indexes.c.indexname, _pg_indexes.c.indexdef)
        .where(
            _pg_indexes.c.schemaname == func.current_schema(),
            _pg_indexes.c.indexname.in_(TRIGRAM_INDEXES),
        )
        .order_by(_pg_indexes.c.indexname)
    ).all()
    for name, _definition in definitions:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, definition in definitions:
        connection.exec_driver_sql(definition)


def _tickets_in(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(Ticket)) or 0
