"""A ticket opened in one statement.

Opening a ticket writes five rows: the ticket, its first history entry and its share of three
counters (`analytics.aggregates`). Run one by one, each statement costs the request more than
it costs the database:

- On PostgreSQL each is a round trip, and each round trip cost more CPU than the statement
  did (the driver's calls, the loopback, and the GIL handed to the worker's other threads
  while it waits). There the statement is the ticket's INSERT as a common table expression
  that the others read its new id from, and the rest as data-modifying CTEs of their own,
  which PostgreSQL runs in full, in one snapshot, as part of the statement.
- On SQLite they run inside the database's one write lock, and each hands the GIL to the
  worker's other threads while SQLite works and waits to get it back: with 8 clients
  creating, the lock was held 82% of the time, most of it in those waits (bench/RESULTS.md,
  session 22). SQLite has no data-modifying CTEs, so the statement is an INSERT into a view
  whose INSTEAD OF trigger writes the rows. The view and its trigger are TEMP: each
  connection makes its own the first time it opens a ticket of their shape, from the tables
  as this code declares them, so that no migration has to keep them in step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Table,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.expression import TableClause, column

from ticketdesk.analytics.upsert import counter_upsert_part, counter_upsert_values
from ticketdesk.precompiled import Bound, Precompiled
from ticketdesk.tickets.models import Ticket, TicketChange

_TICKETS: Table = Ticket.__table__  # type: ignore[assignment]
_CHANGES: Table = TicketChange.__table__  # type: ignore[assignment]
_CHANGE_COLUMNS = ("actor_id", "changed_at", "field", "old_value", "new_value")

Counters = Sequence[tuple[Table, Sequence[Mapping[str, Any]]]]
_Shape = tuple[tuple[str, ...], int, tuple[tuple[Table, tuple[str, ...]], ...]]


@dataclass(frozen=True)
class Opening:
    """One ticket's opening as one statement, its values bound (see `bind_opening`)."""

    statement: Bound
    # SQLite's view that the statement inserts into, which a connection may have to make.
    view: _SqliteView | None


def bind_opening(
    dialect: Dialect,
    *,
    ticket: Mapping[str, Any],
    changes: Sequence[Mapping[str, Any]],
    counters: Counters,
) -> Opening:
    """The statement that writes `ticket` (its column values but its id), its history
    `changes` (each a `change_row` but its ticket's id) and the `counters` rows to add (as
    `aggregates.opening_counters` gives them, one row a table), bound for `dialect` now: on
    SQLite, before the transaction takes the write lock. Run it with `open_ticket`."""
    if any(len(rows) != 1 for _table, rows in counters):
        raise ValueError("one statement adds one row to each counter table")
    shape: _Shape = (
        tuple(ticket),
        len(changes),
        tuple((table, tuple(rows[0])) for table, rows in counters),
    )
    params = {f"ticket_{name}": value for name, value in ticket.items()}
    for number, change in enumerate(changes):
        params.update({f"change{number}_{name}": change[name] for name in _CHANGE_COLUMNS})
    for table, (row,) in counters:
        params.update({f"{table.name}_{name}": value for name, value in row.items()})
    if dialect.name == "sqlite":
        view = _sqlite_view(shape)
        return Opening(view.insert.bind(dialect, params), view)
    return Opening(_postgresql_statement(shape).bind(dialect, params), None)


def open_ticket(connection: Connection, opening: Opening) -> int:
    """Write the ticket `opening` holds, on `connection`; its new id."""
    try:
        ((ticket_id,),) = opening.statement.rows(connection)
    except OperationalError as error:
        view = opening.view
        # SQLite finds the view missing as it prepares the statement, before it writes
        # anything, and the transaction goes on: the first opening of this shape on this
        # connection, or the first since a rollback undid the view's making.
        if view is None or f"no such table: temp.{view.name}" not in str(error.orig):
            raise
        for ddl in view.ddl:
            connection.exec_driver_sql(ddl)
        ((ticket_id,),) = opening.statement.rows(connection)
    return int(ticket_id)


@cache
def _postgresql_statement(shape: _Shape) -> Precompiled:
    ticket_columns, changes, counters = shape
    new = (
        insert(_TICKETS)
        .values(
            {
                name: bindparam(f"ticket_{name}", type_=_TICKETS.c[name].type)
                for name in ticket_columns
            }
        )
        .returning(_TICKETS.c.id)
        .cte("new_ticket")
    )
    entries = [
        select(
            new.c.id,
            *(
                bindparam(f"change{number}_{name}", type_=_CHANGES.c[name].type)
                for name in _CHANGE_COLUMNS
            ),
        )
        for number in range(changes)
    ]
    history = (
        insert(_CHANGES)
        .from_select(
            ["ticket_id", *_CHANGE_COLUMNS], entries[0] if changes == 1 else union_all(*entries)
        )
        .cte("history")
    )
    parts: list[CTE] = []
    for table, names in counters:
        after = parts[-1] if parts else None
        parts.append(counter_upsert_part(table, names, prefix=f"{table.name}_", after=after))
    return Precompiled(select(new.c.id).add_cte(history, *parts))


class _SqliteView:
    """A TEMP view whose rows are openings of one shape, and its INSTEAD OF trigger."""

    def __init__(self, shape: _Shape) -> None:
        ticket_columns, changes, counters = shape
        types = {f"ticket_{name}": _TICKETS.c[name].type for name in ticket_columns}
        for number in range(changes):
            types.update(
                {f"change{number}_{name}": _CHANGES.c[name].type for name in _CHANGE_COLUMNS}
            )
        for counter, names in counters:
            types.update({f"{counter.name}_{name}": counter.c[name].type for name in names})
        # Named after its columns: a shape of its own is a view of its own.
        digest = hashlib.blake2b(" ".join(types).encode(), digest_size=6).hexdigest()
        self.name = f"ticket_opening_{digest}"
        view = TableClause(self.name, *(column(name) for name in types), schema="temp")
        # SQLite numbers a new row one past the largest id, and the transaction holds the
        # database's write lock: the largest id is the new ticket's, when the trigger's
        # statements run after the ticket's INSERT and when RETURNING is worked out, after
        # the trigger.
        new_id = select(func.max(_TICKETS.c.id)).scalar_subquery()
        self.insert = Precompiled(
            insert(view)
            .values({name: bindparam(name, type_=type_) for name, type_ in types.items()})
            .returning(new_id)
        )

        def new(name: str) -> ColumnElement[Any]:
            return literal_column(f"NEW.{name}")

        writes: list[Any] = [
            insert(_TICKETS).values({name: new(f"ticket_{name}") for name in ticket_columns}),
            *(
                insert(_CHANGES).values(
                    {
                        "ticket_id": new_id,
                        **{name: new(f"change{number}_{name}") for name in _CHANGE_COLUMNS},
                    }
                )
                for number in range(changes)
            ),
            *(
                counter_upsert_values(
                    counter, {name: new(f"{counter.name}_{name}") for name in names}
                )
                for counter, names in counters
            ),
        ]
        body = "".join(f"{_sql(write)};\n" for write in writes)
        self.ddl = (
            f"CREATE TEMP VIEW {self.name} ({', '.join(types)}) AS "
            f"SELECT {', '.join('NULL' for _ in types)} WHERE 0",
            f"CREATE TEMP TRIGGER {self.name}_insert INSTEAD OF INSERT ON {self.name}\n"
            f"BEGIN\n{body}END",
        )


@cache
def _sqlite_view(shape: _Shape) -> _SqliteView:
    return _SqliteView(shape)


def _sql(statement: Any) -> str:
    """`statement` as SQLite's SQL, which may bind no values (a trigger has none)."""
    # Compiled as for executemany, an INSERT gets no RETURNING of its new key implied,
    # which a trigger may not have.
    compiled = statement.compile(dialect=sqlite.dialect(), for_executemany=True)
    if compiled.binds:
        raise ValueError(f"a trigger's statement binds no values: {compiled}")
    return str(compiled)
