"""A ticket opened on PostgreSQL in one statement.

Opening a ticket writes five rows: the ticket, its first history entry and its share of three
counters (`analytics.aggregates`). Run one by one, each is a round trip to PostgreSQL, and
each round trip cost the request more CPU than the statement did (the driver's calls, the
loopback, and the GIL handed to the worker's other threads while it waits). Here they are
one statement: the ticket's INSERT as a common table expression that the others read its
new id from, and the rest as data-modifying CTEs of their own, which PostgreSQL runs in
full, in one snapshot, as part of the statement. SQLite has no such CTEs, and no round
trips: it runs the statements one by one (`service.create_ticket`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import CTE, Connection, Table, bindparam, insert, select, union_all

from ticketdesk.analytics.upsert import counter_upsert_part
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket, TicketChange

_TICKETS: Table = Ticket.__table__  # type: ignore[assignment]
_CHANGES: Table = TicketChange.__table__  # type: ignore[assignment]
_CHANGE_COLUMNS = ("actor_id", "changed_at", "field", "old_value", "new_value")


def open_ticket(
    connection: Connection,
    *,
    ticket: Mapping[str, Any],
    changes: Sequence[Mapping[str, Any]],
    counters: Sequence[tuple[Table, Sequence[Mapping[str, Any]]]],
) -> int:
    """Write `ticket` (its column values but its id), its history `changes` (each a
    `change_row` but its ticket's id) and the `counters` rows to add (as
    `aggregates.Opening.counters` gives them, one row a table) in one statement; the new
    ticket's id."""
    if any(len(rows) != 1 for _table, rows in counters):
        raise ValueError("one statement adds one row to each counter table")
    statement = _statement(
        tuple(ticket),
        len(changes),
        tuple((table, tuple(rows[0])) for table, rows in counters),
    )
    params = {f"ticket_{name}": value for name, value in ticket.items()}
    for number, change in enumerate(changes):
        params.update({f"change{number}_{name}": change[name] for name in _CHANGE_COLUMNS})
    for table, (row,) in counters:
        params.update({f"{table.name}_{name}": value for name, value in row.items()})
    ((ticket_id,),) = statement.rows(connection, params)
    return int(ticket_id)


@cache
def _statement(
    ticket_columns: tuple[str, ...],
    changes: int,
    counters: tuple[tuple[Table, tuple[str, ...]], ...],
) -> Precompiled:
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
