"""Counts of the committed changes to each kind of aggregate, and how a figure tells its own.

Every transaction that changes the aggregates adds one to the count of each kind it
changed, as the last statement before its commit; a figure remembered with the counts of
the kinds it reads is still the figure the database would give while those counts stay the
same (`memo`). The counts live in the database, so every worker and every app server reads
the same ones.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from enum import StrEnum

from sqlalchemy import Connection, Table, event, func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.models import ChangeCount
from ticketdesk.analytics.upsert import add_to_counters
from ticketdesk.precompiled import Precompiled

# Shards of each kind's count: writers that commit together pick different rows, so that
# one does not wait for another's commit to reach the disk before writing its own count.
SHARDS = 16
_NOTED = "ticketdesk_analytics_changes"


class Kind(StrEnum):
    """What a change touched, as the figures read it."""

    TICKETS = "tickets"  # a ticket opened, or its status or category changed
    RESOLUTIONS = "resolutions"  # a ticket resolved or closed, reopened, or moved category
    FIRST_RESPONSES = "first_responses"  # a first public reply by an agent, or its category


def note(session: Session, kinds: Collection[Kind]) -> None:
    """Count `kinds` as changed when the session's transaction commits."""
    if kinds:
        session.info.setdefault(_NOTED, set()).update(kinds)


@event.listens_for(Session, "before_commit")
def _count_noted(session: Session) -> None:
    # Last in the transaction, so a writer holds its shard's row lock only while it
    # commits, and takes it after every other lock (no writer waits on another holding it).
    kinds: set[Kind] | None = session.info.pop(_NOTED, None)
    if kinds:
        count(session.connection(), kinds)


@event.listens_for(Session, "after_rollback")
def _forget_noted(session: Session) -> None:
    session.info.pop(_NOTED, None)


def count(connection: Connection, kinds: Collection[Kind]) -> None:
    """Add one to the count of each of `kinds`, in the connection's transaction."""
    shard = random.randrange(SHARDS)  # noqa: S311 - spreads writers; nothing secret
    add_to_counters(
        connection,
        _TABLE,
        keys=("kind", "shard"),
        deltas={(kind.value, shard): {"changes": 1} for kind in kinds},
    )


def counts(connection: Connection) -> Mapping[Kind, int]:
    """Each kind's count as committed now (zero for a kind never changed)."""
    found = {Kind(kind): int(changes) for kind, changes in _COUNTS.rows(connection, {})}
    return {kind: found.get(kind, 0) for kind in Kind}


_TABLE: Table = ChangeCount.__table__  # type: ignore[assignment]
# Every analytics request runs it (see `precompiled`).
_COUNTS = Precompiled(
    select(ChangeCount.kind, func.sum(ChangeCount.changes)).group_by(ChangeCount.kind)
)
