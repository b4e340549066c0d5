"""Upkeep of the aggregate tables: each ticket change applied in the change's transaction.

The ticket service calls `ticket_changed` after creating or updating a ticket, and the
comment service calls `comment_added` for a reply that may be the ticket's first response
(`may_answer_first`); both take the ticket's row lock first (the services already hold it),
so the aggregates always agree with the tickets they summarize.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ticketdesk.accounts.actor import Actor
from ticketdesk.analytics.buckets import bucket_of
from ticketdesk.analytics.models import (
    FirstResponse,
    FirstResponseBucket,
    FirstResponseMonth,
    OpenedCount,
    OpenedMonth,
    Resolution,
    ResolutionBucket,
    ResolutionTotal,
    ResolvedDay,
    ResolvedMonth,
    StatusCount,
)
from ticketdesk.analytics.upsert import add_to_counters, counter_rows, counter_upsert
from ticketdesk.enums import Status
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket

DONE = (Status.RESOLVED, Status.CLOSED)
_FACT_COLUMNS = ("id", "category", "status", "opened_at", "resolved_at", "closed_at")


@dataclass(frozen=True, kw_only=True)
class TicketFacts:
    """What the aggregates know of a ticket."""

    id: int
    category: str
    status: Status
    opened_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, ticket: Ticket | Mapping[str, Any]) -> TicketFacts:
        """The facts of a mapped ticket, or of a ticket's column values."""
        if not isinstance(ticket, Mapping):
            ticket = {name: getattr(ticket, name) for name in _FACT_COLUMNS}
        resolved_at, closed_at = ticket["resolved_at"], ticket["closed_at"]
        return cls(
            id=ticket["id"],
            category=ticket["category"],
            status=ticket["status"],
            opened_at=ticket["opened_at"].astimezone(UTC),
            resolved_at=resolved_at and resolved_at.astimezone(UTC),
            closed_at=closed_at and closed_at.astimezone(UTC),
        )

    @property
    def done_at(self) -> datetime | None:
        """When it left the backlog: resolved, or closed without being resolved."""
        if self.status not in DONE:
            return None
        return self.resolved_at or self.closed_at


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


Counters = defaultdict[tuple[Any, ...], dict[str, float]]


def _counters(**more: float) -> Counters:
    return defaultdict(lambda: {"tickets": 0, **more})


def _sums(**more: float) -> Counters:
    return defaultdict(lambda: {"tickets": 0, "seconds": 0.0, **more})


# The roll-ups that every change of a kind writes count each write of a row (`changes`, see
# `analytics.changes`), even where the row's counts net to zero.
COUNTED = {"changes": 1}


@dataclass(frozen=True)
class Resolved:
    """One ticket's resolution, as the counters count it."""

    category: str
    resolved_at: datetime
    seconds: float
    bucket: int


class _Deltas:
    """What one change adds to (or takes from) each counter table, written in one go."""

    def __init__(self) -> None:
        self.opened_counts = _counters()
        self.opened_months = _counters()
        self.statuses = _counters(**COUNTED)
        self.totals = _counters()
        self.resolved_days = _sums()
        self.resolved_months = _sums(**COUNTED)
        self.buckets = _counters()

    def opened(self, category: str, status: Status, opened_at: datetime, change: int) -> None:
        """A ticket counted (`change` 1) in its category and status, or taken back (-1)."""
        self.opened_counts[(opened_at.date(), category, status.value)]["tickets"] += change
        # A new status alone nets to nothing here, and writes no row (`counter_rows`).
        self.opened_months[(month_of(opened_at), category)]["tickets"] += change
        self.statuses[(category, status.value)]["tickets"] += change

    def resolution(self, facts: Resolved, change: int) -> None:
        """A resolution counted (`change` 1) or taken back (-1)."""
        day, category = facts.resolved_at.date(), facts.category
        for sums in (
            self.resolved_days[(day, category)],
            self.resolved_months[(month_of(day), category)],
        ):
            sums["tickets"] += change
            sums["seconds"] += change * facts.seconds
        self.buckets[(month_of(day), category, facts.bucket)]["tickets"] += change
        self.totals[(category, facts.bucket)]["tickets"] += change

    def write(self, session: Session) -> None:
        dialect = session.get_bind().dialect
        for table, rows in self.counter_rows():
            counter_upsert(dialect, table, rows).run(session.connection())

    def counter_rows(self) -> list[tuple[Table, list[dict[str, Any]]]]:
        """Each counter table these deltas change, with the rows to add to it (see
        `counter_rows`)."""
        found = []
        for model, deltas in (
            (OpenedCount, self.opened_counts),
            (OpenedMonth, self.opened_months),
            (StatusCount, self.statuses),
            (ResolvedDay, self.resolved_days),
            (ResolvedMonth, self.resolved_months),
            (ResolutionBucket, self.buckets),
            (ResolutionTotal, self.totals),
        ):
            table: Table = model.__table__  # type: ignore[assignment]
            rows = counter_rows(_key_of(table), deltas)
            if rows:
                found.append((table, rows))
        return found


@cache
def _key_of(table: Table) -> tuple[str, ...]:
    """The names of `table`'s primary key columns, in their order, by which its deltas are
    keyed: asked of SQLAlchemy at each change, they cost about as much as the rest of
    working out the change's rows."""
    return tuple(column.name for column in table.primary_key)


def ticket_changed(session: Session, *, before: TicketFacts | None, after: TicketFacts) -> None:
    """Apply one ticket's change (or its creation, when `before` is None) to the aggregates."""
    if before == after:
        return
    deltas = _Deltas()
    if before is not None:
        deltas.opened(before.category, before.status, before.opened_at, -1)
    deltas.opened(after.category, after.status, after.opened_at, 1)
    was = (before.category, before.done_at) if before else (None, None)
    if was != (after.category, after.done_at):
        if before is not None and before.done_at is not None:
            _forget_resolution(session, deltas, before.id)
        if after.done_at is not None:
            _record_resolution(session, deltas, after, after.done_at)
    deltas.write(session)
    if before is not None and before.category != after.category:
        _move_first_response(session, ticket_id=after.id, category=after.category)


def opening_counters(ticket: Mapping[str, Any]) -> list[tuple[Table, list[dict[str, Any]]]] | None:
    """What opening `ticket` (its column values, before it has an id) adds to the counter
    tables: each table with its rows to add, which the ticket service writes with the ticket
    in one statement (`tickets.opening`). None for a ticket opened already resolved or
    closed: its resolution's row names the ticket, so that is written as a change
    (`ticket_changed`) once the ticket has its id."""
    if ticket["status"] in DONE:
        return None
    deltas = _Deltas()
    deltas.opened(ticket["category"], ticket["status"], ticket["opened_at"].astimezone(UTC), 1)
    return deltas.counter_rows()


def _forget_resolution(session: Session, deltas: _Deltas, ticket_id: int) -> None:
    row = session.execute(
        delete(Resolution)
        .where(Resolution.ticket_id == ticket_id)
        .returning(
            Resolution.category, Resolution.resolved_at, Resolution.seconds, Resolution.bucket
        )
    ).one_or_none()
    if row is None:
        return
    deltas.resolution(Resolved(row.category, row.resolved_at, row.seconds, row.bucket), -1)


def _record_resolution(
    session: Session, deltas: _Deltas, ticket: TicketFacts, done_at: datetime
) -> None:
    seconds = (done_at - ticket.opened_at).total_seconds()
    bucket = bucket_of(seconds)
    session.execute(
        insert(Resolution).values(
            ticket_id=ticket.id,
            category=ticket.category,
            opened_at=ticket.opened_at,
            resolved_at=done_at,
            seconds=seconds,
            bucket=bucket,
        )
    )
    deltas.resolution(Resolved(ticket.category, done_at, seconds, bucket), 1)


def _move_first_response(session: Session, *, ticket_id: int, category: str) -> None:
    row = session.execute(
        select(FirstResponse.category, FirstResponse.responded_at, FirstResponse.bucket).where(
            FirstResponse.ticket_id == ticket_id
        )
    ).one_or_none()
    if row is None:
        return
    session.execute(
        update(FirstResponse).where(FirstResponse.ticket_id == ticket_id).values(category=category)
    )
    month = month_of(row.responded_at)
    _add_first_response_buckets(
        session,
        {(month, row.category, row.bucket): -1, (month, category, row.bucket): 1},
    )


def first_responded_at(ticket_id: ColumnElement[int]) -> ScalarSelect[datetime]:
    """When the ticket was first answered (NULL: not yet), in SQL: the comment service reads
    it in the statement that adds a comment, and calls `comment_added` only when the new
    comment could be the first response (`may_answer_first`)."""
    return (
        select(FirstResponse.responded_at)
        .where(FirstResponse.ticket_id == ticket_id)
        .scalar_subquery()
    )


def may_answer_first(
    *, author: Actor, internal: bool, created_at: datetime, responded_at: datetime | None
) -> bool:
    """Whether a comment made at `created_at` may be its ticket's first response, given the
    first response committed when its statement ran. One that was there stays: a first
    response is only ever replaced by an earlier one. `comment_added` decides for certain,
    under the ticket's lock."""
    if internal or not author.is_agent:
        return False
    return responded_at is None or responded_at > created_at


def comment_added(
    session: Session, *, ticket_id: int, author: Actor, internal: bool, created_at: datetime
) -> None:
    """Note the ticket's first public reply from an agent or admin (the earliest one counts)."""

    def may_be_first(responded_at: datetime | None) -> bool:
        return may_answer_first(
            author=author, internal=internal, created_at=created_at, responded_at=responded_at
        )

    if not may_be_first(None):
        return
    connection = session.connection()
    params = {"ticket_id": ticket_id}
    category, opened_at = _TICKET_FOR_RESPONSE.rows(connection, params)[0]
    existing = _FIRST_RESPONSE.first(connection, params)  # read under the ticket's lock
    if not may_be_first(existing[0] if existing else None):
        return
    created_at = created_at.astimezone(UTC)
    seconds = (created_at - opened_at).total_seconds()
    bucket = bucket_of(seconds)
    moved = {(month_of(created_at), category, bucket): 1}
    if existing is not None:
        responded_at, old_category, old_bucket = existing
        old_key = (month_of(responded_at), old_category, old_bucket)
        moved[old_key] = moved.get(old_key, 0) - 1
        session.execute(delete(FirstResponse).where(FirstResponse.ticket_id == ticket_id))
    _INSERT_FIRST_RESPONSE.run_many(
        connection,
        [
            {
                "ticket_id": ticket_id,
                "category": category,
                "opened_at": opened_at,
                "responded_at": created_at,
                "seconds": seconds,
                "bucket": bucket,
            }
        ],
    )
    _add_first_response_buckets(session, moved)


# An agent's reply that may be the first runs these (see `precompiled`). The ticket's lock is
# PostgreSQL's FOR NO KEY UPDATE: the reply's INSERT already holds FOR KEY SHARE on the ticket
# (its foreign key), and two replies at once that each then asked for FOR UPDATE, which
# conflicts with the other's key share, deadlocked. Ticket updates still take FOR UPDATE,
# which waits for this and for the replies' key shares alike.
_TICKET_FOR_RESPONSE = Precompiled(
    select(Ticket.category, Ticket.opened_at)
    .where(Ticket.id == bindparam("ticket_id"))
    .with_for_update(key_share=True)
)
_FIRST_RESPONSE = Precompiled(
    select(FirstResponse.responded_at, FirstResponse.category, FirstResponse.bucket).where(
        FirstResponse.ticket_id == bindparam("ticket_id")
    )
)
_INSERT_FIRST_RESPONSE = Precompiled(insert(FirstResponse.__table__))  # type: ignore[arg-type]


def _add_first_response_buckets(session: Session, moved: dict[tuple[Any, ...], int]) -> None:
    add_to_counters(
        session,
        FirstResponseBucket.__table__,  # type: ignore[arg-type]
        keys=("month", "category", "bucket"),
        deltas={key: {"tickets": count} for key, count in moved.items()},
    )
    months = _counters(**COUNTED)
    for (month, _category, bucket), count in moved.items():
        months[(month, bucket)]["tickets"] += count
    add_to_counters(
        session,
        FirstResponseMonth.__table__,  # type: ignore[arg-type]
        keys=("month", "bucket"),
        deltas=months,
    )
