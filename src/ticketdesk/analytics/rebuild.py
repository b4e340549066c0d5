"""Recompute every aggregate table from the tickets, set-based, in the caller's transaction.

Used after a bulk import, by the migration that created the tables, and by
`ticketdesk analytics rebuild`. Its results equal what `aggregates` maintains change by
change (the tests check that).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, delete, func, insert, select, text

from ticketdesk.accounts.models import User
from ticketdesk.analytics import changes
from ticketdesk.analytics.indexes import deferred_indexes, locked_against_readers
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
from ticketdesk.analytics.sqlexpr import (
    bucket_expression,
    period_of_day,
    seconds_between,
    utc_day,
    utc_month,
)
from ticketdesk.enums import AGENT_ROLES, Status
from ticketdesk.tickets.models import Comment, Ticket

TABLES = (
    FirstResponseMonth,
    FirstResponseBucket,
    FirstResponse,
    ResolutionTotal,
    ResolutionBucket,
    ResolvedMonth,
    ResolvedDay,
    Resolution,
    StatusCount,
    OpenedMonth,
    OpenedCount,
)


def lock_aggregates(connection: Connection) -> None:
    """Hold off concurrent ticket changes' upkeep until this transaction ends (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(model.__tablename__ for model in TABLES)
        connection.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def rebuild_all(connection: Connection) -> None:
    lock_aggregates(connection)
    counted_before = changes.counted_now(connection)
    for model in TABLES:
        connection.execute(delete(model))
    _rebuild_opened(connection)
    _rebuild_resolutions(connection)
    _rebuild_first_responses(connection)
    changes.carry_over(connection, counted_before)


def _rebuild_opened(connection: Connection) -> None:
    day = utc_day(connection.dialect.name, Ticket.opened_at)
    connection.execute(
        insert(OpenedCount).from_select(
            ["day", "category", "status", "tickets"],
            select(day, Ticket.category, Ticket.status, func.count()).group_by(
                day, Ticket.category, Ticket.status
            ),
        )
    )
    connection.execute(
        insert(StatusCount).from_select(
            ["category", "status", "tickets"],
            select(
                OpenedCount.category, OpenedCount.status, func.sum(OpenedCount.tickets)
            ).group_by(OpenedCount.category, OpenedCount.status),
        )
    )
    month = period_of_day(connection.dialect.name, "month", OpenedCount.day)
    connection.execute(
        insert(OpenedMonth).from_select(
            ["month", "category", "tickets"],
            select(month, OpenedCount.category, func.sum(OpenedCount.tickets)).group_by(
                month, OpenedCount.category
            ),
        )
    )


def _rebuild_resolutions(connection: Connection) -> None:
    done_at = func.coalesce(Ticket.resolved_at, Ticket.closed_at)
    done = (
        select(
            Ticket.id,
            Ticket.category,
            Ticket.opened_at,
            done_at.label("done_at"),
            seconds_between(connection.dialect.name, Ticket.opened_at, done_at).label("seconds"),
        )
        .where(Ticket.status.in_([Status.RESOLVED, Status.CLOSED]), done_at.is_not(None))
        .subquery()
    )
    rows = select(*done.c, bucket_expression(done.c.seconds))
    if connection.dialect.name == "postgresql":
        # The heap in resolution order: newest-first pages read neighbouring blocks. (SQLite
        # keeps the rows in ticket_id order whatever the insert order, and inserting them out
        # of that order is what would cost.)
        rows = rows.order_by(done.c.done_at)
    table: Table = Resolution.__table__  # type: ignore[assignment]
    keys = locked_against_readers(connection, Ticket.__table__)  # type: ignore[arg-type]
    with deferred_indexes(connection, table, rows=_done(connection), keys=keys):
        connection.execute(
            insert(Resolution).from_select(
                ["ticket_id", "category", "opened_at", "resolved_at", "seconds", "bucket"], rows
            )
        )
    day = utc_day(connection.dialect.name, Resolution.resolved_at)
    connection.execute(
        insert(ResolvedDay).from_select(
            ["day", "category", "tickets", "seconds"],
            select(day, Resolution.category, func.count(), func.sum(Resolution.seconds)).group_by(
                day, Resolution.category
            ),
        )
    )
    month = utc_month(connection.dialect.name, Resolution.resolved_at)
    connection.execute(
        insert(ResolvedMonth).from_select(
            ["month", "category", "tickets", "seconds"],
            select(month, Resolution.category, func.count(), func.sum(Resolution.seconds)).group_by(
                month, Resolution.category
            ),
        )
    )
    connection.execute(
        insert(ResolutionBucket).from_select(
            ["month", "category", "bucket", "tickets"],
            select(month, Resolution.category, Resolution.bucket, func.count()).group_by(
                month, Resolution.category, Resolution.bucket
            ),
        )
    )
    connection.execute(
        insert(ResolutionTotal).from_select(
            ["category", "bucket", "tickets"],
            select(
                ResolutionBucket.category,
                ResolutionBucket.bucket,
                func.sum(ResolutionBucket.tickets),
            ).group_by(ResolutionBucket.category, ResolutionBucket.bucket),
        )
    )


def _done(connection: Connection) -> int:
    """How many tickets are resolved or closed, from the roll-up just rebuilt."""
    done = StatusCount.status.in_([Status.RESOLVED, Status.CLOSED])
    return connection.scalar(select(func.sum(StatusCount.tickets)).where(done)) or 0


def rebuild_first_responses(connection: Connection) -> None:
    """Recompute only the first-response tables (after comments were bulk-loaded)."""
    lock_aggregates(connection)
    for model in (FirstResponseMonth, FirstResponseBucket, FirstResponse):
        connection.execute(delete(model))
    _rebuild_first_responses(connection)


def _rebuild_first_responses(connection: Connection) -> None:
    dialect = connection.dialect.name
    first = (
        select(Comment.ticket_id, func.min(Comment.created_at).label("responded_at"))
        .join(User, User.id == Comment.author_id)
        .where(Comment.internal.is_(False), User.role.in_(sorted(AGENT_ROLES)))
        .group_by(Comment.ticket_id)
        .subquery()
    )
    responded = (
        select(
            Ticket.id,
            Ticket.category,
            Ticket.opened_at,
            first.c.responded_at,
            seconds_between(dialect, Ticket.opened_at, first.c.responded_at).label("seconds"),
        )
        .join(first, first.c.ticket_id == Ticket.id)
        .subquery()
    )
    connection.execute(
        insert(FirstResponse).from_select(
            ["ticket_id", "category", "opened_at", "responded_at", "seconds", "bucket"],
            select(*responded.c, bucket_expression(responded.c.seconds)),
        )
    )
    month = utc_month(dialect, FirstResponse.responded_at)
    connection.execute(
        insert(FirstResponseBucket).from_select(
            ["month", "category", "bucket", "tickets"],
            select(month, FirstResponse.category, FirstResponse.bucket, func.count()).group_by(
                month, FirstResponse.category, FirstResponse.bucket
            ),
        )
    )
    connection.execute(
        insert(FirstResponseMonth).from_select(
            ["month", "bucket", "tickets"],
            select(
                FirstResponseBucket.month,
                FirstResponseBucket.bucket,
                func.sum(FirstResponseBucket.tickets),
            ).group_by(FirstResponseBucket.month, FirstResponseBucket.bucket),
        )
    )
