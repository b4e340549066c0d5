"""How many committed changes each kind of figure has seen: a number that only grows.

Every change of a kind writes one roll-up whatever else it writes: a ticket's opening or
new status or category its (category, status) row of `StatusCount`, a resolution (or its
undoing) its month's row of `ResolvedMonth`, a first reply its month's row of
`FirstResponseMonth`. Each write adds one to the row's `changes`, in the statement that
adds to its counts (`aggregates`), so a kind's count is the sum of `changes` over its
roll-up. A figure remembered with the counts of the kinds it reads is still the figure the
database would give while those counts stay the same (`memo`). The counts live in the
database, so every worker and every app server reads the same ones.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from functools import cache

from sqlalchemy import Connection, ScalarSelect, Table, func, select, tuple_, update

from ticketdesk.analytics.models import FirstResponseMonth, ResolvedMonth, StatusCount
from ticketdesk.precompiled import Precompiled


class Kind(StrEnum):
    """What a change touched, as the figures read it."""

    TICKETS = "tickets"  # a ticket opened, or its status or category changed
    RESOLUTIONS = "resolutions"  # a ticket resolved or closed, reopened, or moved category
    FIRST_RESPONSES = "first_responses"  # a first public reply by an agent, or its category


ROLL_UPS: dict[Kind, Table] = {
    Kind.TICKETS: StatusCount.__table__,  # type: ignore[dict-item]
    Kind.RESOLUTIONS: ResolvedMonth.__table__,  # type: ignore[dict-item]
    Kind.FIRST_RESPONSES: FirstResponseMonth.__table__,  # type: ignore[dict-item]
}


def counts(connection: Connection, kinds: tuple[Kind, ...]) -> tuple[int, ...]:
    """The count of each of `kinds` as committed now, in one statement."""
    row = _counts_of(kinds).first(connection, {})
    return tuple(int(count) for count in row or ())


@cache
def _counts_of(kinds: tuple[Kind, ...]) -> Precompiled:
    # Every analytics request runs one (see `precompiled`).
    return Precompiled(select(*count_columns(kinds)))


def count_columns(kinds: tuple[Kind, ...]) -> list[ScalarSelect[int]]:
    """The count of each of `kinds`, as columns for a statement to select."""
    return [
        select(func.coalesce(func.sum(ROLL_UPS[kind].c.changes), 0)).scalar_subquery()
        for kind in kinds
    ]


def carry_over(connection: Connection, before: Mapping[Kind, int]) -> None:
    """After a rebuild wrote each roll-up afresh (every row at one change), add the counts
    from `before` it to a row of each, so that no count goes back to a value it had."""
    for kind, count in before.items():
        table = ROLL_UPS[kind]
        key = list(table.primary_key)
        first = select(*key).order_by(*key).limit(1)
        connection.execute(
            update(table).where(tuple_(*key).in_(first)).values(changes=table.c.changes + count)
        )


def counted_now(connection: Connection, kinds: Collection[Kind] = tuple(Kind)) -> dict[Kind, int]:
    """`counts` by kind."""
    kinds = tuple(kinds)
    return dict(zip(kinds, counts(connection, kinds), strict=True))
