"""Ticket counts, computed from the aggregates (never by reading every ticket).

Counts by opening time read `analytics_opened` for whole days and the tickets' opened_at
index for the partial days at the ends of a range, so a range is exact to the instant.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache

import pandas as pd
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.frames import fetch_frame
from ticketdesk.analytics.models import OpenedCount, StatusCount
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.ranges import TimeRange, Unit, split
from ticketdesk.analytics.sqlexpr import edge_part, whole_part
from ticketdesk.db import utcnow
from ticketdesk.enums import ACTIVE_STATUSES, Status
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket


def ticket_counts(session: Session, *, period: Period, now: datetime | None = None) -> int:
    """Tickets opened in the current calendar period (UTC) that are still open (seed 001)."""
    start = period_start(period, now or utcnow())
    count = session.scalar(
        select(func.sum(OpenedCount.tickets)).where(
            OpenedCount.day >= start.date(), OpenedCount.status.in_(ACTIVE_STATUSES)
        )
    )
    return int(count or 0)


def opened_counts(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """Tickets opened in `time_range`, by category and current status: columns
    category, status, tickets (only combinations that have any)."""
    parts = split(time_range, Unit.DAY)
    queries = []
    if time_range == TimeRange():  # all of history: the current counts answer directly
        queries.append(select(StatusCount.category, StatusCount.status, StatusCount.tickets))
    elif parts.whole:
        queries.append(
            select(OpenedCount.category, OpenedCount.status, func.sum(OpenedCount.tickets))
            .where(whole_part(parts, OpenedCount.day))
            .group_by(OpenedCount.category, OpenedCount.status)
        )
    if parts.edges:
        queries.append(
            select(Ticket.category, Ticket.status, func.count().label("tickets"))
            .where(edge_part(parts, Ticket.opened_at))
            .group_by(Ticket.category, Ticket.status)
        )
    frame = fetch_frame(
        session,
        queries,
        dtypes={"category": str, "status": str, "tickets": "int64"},
        categories=categories,
    )
    grouped = frame.groupby(["category", "status"])["tickets"].sum().reset_index()
    result: pd.DataFrame = grouped[grouped["tickets"] > 0].reset_index(drop=True)
    return result


def counts_by_category(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    statuses: Collection[Status] = (),
    categories: Collection[str] = (),
) -> dict[str, int]:
    """How many tickets each category has (seed 001), optionally only in some statuses and
    opened within `time_range`. Categories with none are left out."""
    frame = opened_counts(session, time_range=time_range, categories=categories)
    if statuses:
        frame = frame[frame["status"].isin([Status(status).value for status in statuses])]
    totals = frame.groupby("category")["tickets"].sum().sort_index()
    return {str(category): int(count) for category, count in totals.items()}


def tickets_now_in(
    session: Session, *, statuses: Collection[Status] = (), categories: Collection[str] = ()
) -> int:
    """How many tickets are now in one of `statuses` and `categories` (empty: any), read from
    the per-(category, status) roll-up the ticket service keeps in step with every change.
    (The ticket list asks this for every page, hence the statements built once.)"""
    query = _tickets_now_in(statuses=bool(statuses), categories=bool(categories))
    params = {"statuses": list(statuses), "categories": list(categories)}
    (tickets,) = query.rows(session.connection(), params)[0]
    return int(tickets)


@cache
def _tickets_now_in(*, statuses: bool, categories: bool) -> Precompiled:
    query = select(func.coalesce(func.sum(StatusCount.tickets), 0))
    if statuses:
        query = query.where(StatusCount.status.in_(bindparam("statuses", expanding=True)))
    if categories:
        query = query.where(StatusCount.category.in_(bindparam("categories", expanding=True)))
    return Precompiled(query)


def active_by_category(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """Tickets neither resolved nor closed, per category (seed 000): columns category, count.

    Every category that has tickets is listed, with 0 when none of them is active; the
    busiest categories come first.
    """
    frame = opened_counts(session, time_range=time_range, categories=categories)
    active = frame["status"].isin([status.value for status in ACTIVE_STATUSES])
    frame = frame.assign(count=frame["tickets"].where(active, 0))
    result = frame.groupby("category")["count"].sum().reset_index()
    return result.sort_values(["count", "category"], ascending=[False, True], ignore_index=True)
