"""Ticket counts, computed from the aggregates (never by reading every ticket).

Counts by opening time read `analytics_opened` for whole days and the tickets' opened_at
index for the partial days at the ends of a range, so a range is exact to the instant.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import Select, Subquery, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.models import OpenedCount, StatusCount
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.ranges import TimeRange, Unit, split
from ticketdesk.analytics.sqlexpr import (
    BOUND_CATEGORIES,
    SplitShape,
    bound_edge_part,
    bound_narrowed,
    bound_whole_part,
    split_shape,
    split_values,
    united,
)
from ticketdesk.analytics.table import Table
from ticketdesk.db import utcnow
from ticketdesk.enums import ACTIVE_STATUSES, Status
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket


def ticket_counts(session: Session, *, period: Period, now: datetime | None = None) -> int:
    """Tickets opened in the current calendar period (UTC) that are still open (seed 001)."""
    start = period_start(period, now or utcnow())
    ((count,),) = _ACTIVE_OPENED_SINCE.rows(session.connection(), {"start": start.date()})
    return int(count or 0)


# Built and compiled once (see `precompiled`): building it at each request cost more CPU than
# running it. The statuses one by one, not `in_`, whose list SQLAlchemy renders anew at each
# execution.
_ACTIVE_OPENED_SINCE = Precompiled(
    select(func.sum(OpenedCount.tickets)).where(
        OpenedCount.day >= bindparam("start"),
        or_(*(OpenedCount.status == status for status in sorted(ACTIVE_STATUSES))),
    )
)


def counts_by_category(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    statuses: Collection[Status] = (),
    categories: Collection[str] = (),
) -> dict[str, int]:
    """How many tickets each category has (seed 001), optionally only in some statuses and
    opened within `time_range`. Categories with none are left out."""
    days = split(time_range, Unit.DAY)
    statement = _counts(split_shape(days), bool(categories), bool(statuses))
    if statement is None:  # an empty range
        return {}
    values = {**split_values(days, categories), "statuses": sorted(map(Status, statuses))}
    return {name: int(count) for name, count in statement.rows(session.connection(), values)}


def active_by_category(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> Table:
    """Tickets neither resolved nor closed, per category (seed 000): columns category, count.

    Every category that has tickets is listed, with 0 when none of them is active; the
    busiest categories come first.
    """
    days = split(time_range, Unit.DAY)
    statement = _active(split_shape(days), bool(categories))
    if statement is None:
        return Table(ACTIVE_COLUMNS, [])
    rows = statement.rows(session.connection(), split_values(days, categories))
    return Table(ACTIVE_COLUMNS, [(name, int(count)) for name, count in rows])


ACTIVE_COLUMNS = ("category", "count")


# The statements below are built and compiled once per shape (the range split by day, some
# categories or all): building them at each request cost more CPU than running them. Their
# dates, instants and lists are bound at execution.
@lru_cache(maxsize=64)
def _counts(days: SplitShape, some_categories: bool, some_statuses: bool) -> Precompiled | None:
    opened = _opened_counts(days, some_categories)
    if opened is None:
        return None
    category, status, tickets = opened.c
    query = (
        select(category, func.sum(tickets))
        .group_by(category)
        .having(func.sum(tickets) > 0)
        .order_by(category)
    )
    if some_statuses:
        query = query.where(status.in_(bindparam("statuses", expanding=True)))
    return Precompiled(query)


@lru_cache(maxsize=32)
def _active(days: SplitShape, some_categories: bool) -> Precompiled | None:
    opened = _opened_counts(days, some_categories)
    if opened is None:
        return None
    category, status, tickets = opened.c
    active = func.sum(case((status.in_(ACTIVE_STATUSES), tickets), else_=0))
    return Precompiled(
        select(category, active)
        .group_by(category)
        .having(func.sum(tickets) > 0)
        .order_by(active.desc(), category)
    )


def _opened_counts(days: SplitShape, some_categories: bool) -> Subquery | None:
    """Rows (category, status, tickets) of the tickets opened in the range (split by day
    into `days`), by category and current status, a combination possibly in more than one
    row; None when the range is empty."""
    queries: list[Select[*tuple[Any, ...]]] = []
    if days.all_of_history:  # the current counts answer directly
        queries.append(select(StatusCount.category, StatusCount.status, StatusCount.tickets))
    elif days.whole:
        queries.append(
            select(OpenedCount.category, OpenedCount.status, OpenedCount.tickets).where(
                bound_whole_part(OpenedCount.day, days.bounds)
            )
        )
    if days.edges:
        queries.append(
            select(Ticket.category, Ticket.status, func.count().label("tickets"))
            .where(bound_edge_part(Ticket.opened_at, days.edges))
            .group_by(Ticket.category, Ticket.status)
        )
    if not queries:
        return None
    return united(bound_narrowed(queries, some_categories))


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
    return Precompiled(
        tickets_now_in_query(
            bindparam("statuses", expanding=True) if statuses else None,
            BOUND_CATEGORIES if categories else None,
        )
    )


def tickets_now_in_query(statuses: Any = None, categories: Any = None) -> Select[int]:
    """`tickets_now_in` as a statement, over the statuses and the categories that `statuses`
    and `categories` bind: an expanding bind parameter, or a list of bind parameters (None:
    any)."""
    query = select(func.coalesce(func.sum(StatusCount.tickets), 0))
    if statuses is not None:
        query = query.where(StatusCount.status.in_(statuses))
    if categories is not None:
        query = query.where(StatusCount.category.in_(categories))
    return query
