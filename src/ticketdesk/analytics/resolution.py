"""Resolution times: per ticket (paginated), summarized per category, and by month.

A ticket's resolution time is resolved_at - opened_at, or closed_at - opened_at when it was
closed without being resolved; reopened tickets have none until they are done again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, literal, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.models import (
    Resolution,
    ResolutionBucket,
    ResolutionTotal,
    ResolvedDay,
    ResolvedMonth,
)
from ticketdesk.analytics.percentiles import hours, percentile_buckets
from ticketdesk.analytics.ranges import Split, TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import (
    edge_part,
    narrowed,
    united,
    whole_part,
)
from ticketdesk.analytics.table import Table

SUMMARY_COLUMNS = ("category", "count", "mean_hours", "median_hours", "p90_hours")
MONTHLY_COLUMNS = ("month", "count", "mean_hours")


def resolution_times(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
    offset: int = 0,
    limit: int = 25,
) -> tuple[Sequence[Row[int, str, datetime, datetime, float]], int]:
    """One page of resolved tickets, the most recently resolved first, and how many match.

    Rows are (ticket_id, category, opened_at, resolved_at, seconds); resolved_at is the
    closing time for tickets closed without being resolved.
    """
    start, end = time_range.clamped()
    query = select(
        Resolution.ticket_id,
        Resolution.category,
        Resolution.opened_at,
        Resolution.resolved_at,
        Resolution.seconds,
    ).where(Resolution.resolved_at >= start, Resolution.resolved_at < end)
    if categories:
        query = query.where(Resolution.category.in_(categories))
    page = (
        session.connection()
        .execute(
            query.order_by(Resolution.resolved_at.desc(), Resolution.ticket_id.desc())
            .offset(offset)
            .limit(limit)
        )
        .all()
    )
    return page, _count(session, time_range, categories)


def _count(session: Session, time_range: TimeRange, categories: Collection[str]) -> int:
    """How many tickets were resolved in the range: whole days from the counters, the rest
    counted in the index of rows."""
    parts = split(time_range, Unit.DAY)
    connection = session.connection()
    total = 0
    counted = _counted(time_range, parts)
    if counted is not None:
        _category, tickets, _seconds = united(narrowed([counted], categories)).c
        total += connection.scalar(select(func.sum(tickets))) or 0
    if parts.edges:
        query = select(func.count()).where(edge_part(parts, Resolution.resolved_at))
        if categories:
            query = query.where(Resolution.category.in_(categories))
        total += connection.scalar(query) or 0
    return int(total)


def resolution_summary(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> Table:
    """Per category of the tickets resolved in the range: count and mean hours (exact), and
    median and p90 hours (from the histogram, within 2.2%)."""
    spread = {
        category: (hours(median), hours(p90))
        for category, _count, (median, p90) in percentile_buckets(
            session, _histograms(time_range, categories), quantiles=[MEDIAN, P90]
        )
    }
    rows = [
        (category, count, seconds / count / 3600, *spread.get(category, (None, None)))
        for category, count, seconds in _sums(session, time_range, categories)
    ]
    return Table(SUMMARY_COLUMNS, rows)


def _sums(session: Session, time_range: TimeRange, categories: Collection[str]) -> list[Any]:
    """(category, count, seconds) of the tickets resolved in the range, by category: whole
    days from the counters (`_counted`), the rest from rows."""
    parts = split(time_range, Unit.DAY)
    counted = _counted(time_range, parts)
    queries: list[Select[*tuple[Any, ...]]] = [] if counted is None else [counted]
    if parts.edges:
        queries.append(
            select(Resolution.category, literal(1), Resolution.seconds).where(
                edge_part(parts, Resolution.resolved_at)
            )
        )
    if not queries:  # an empty range
        return []
    rows = united(narrowed(queries, categories))
    category, tickets, seconds = rows.c
    by_category = (
        select(category, func.sum(tickets), func.sum(seconds))
        .group_by(category)
        .having(func.sum(tickets) > 0)
        .order_by(category)
    )
    return list(session.connection().execute(by_category))


def _counted(time_range: TimeRange, parts: Split) -> Select[*tuple[Any, ...]] | None:
    """Rows (category, tickets, seconds) of the counters for the range's whole days (`parts`
    split by day): over all of history, the monthly ones, a thirtieth as many. None when the
    range has no whole day."""
    if time_range == TimeRange():
        return select(ResolvedMonth.category, ResolvedMonth.tickets, ResolvedMonth.seconds)
    if parts.whole:
        return select(ResolvedDay.category, ResolvedDay.tickets, ResolvedDay.seconds).where(
            whole_part(parts, ResolvedDay.day)
        )
    return None


def _histograms(
    time_range: TimeRange, categories: Collection[str]
) -> list[Select[*tuple[Any, ...]]]:
    """(category, bucket, tickets): whole months from the histogram, the rest from rows."""
    parts = split(time_range, Unit.MONTH)
    queries: list[Select[*tuple[Any, ...]]] = []
    if time_range == TimeRange():  # all of history: the all-time histogram answers directly
        queries.append(
            select(ResolutionTotal.category, ResolutionTotal.bucket, ResolutionTotal.tickets)
        )
    elif parts.whole:
        queries.append(
            select(
                ResolutionBucket.category, ResolutionBucket.bucket, ResolutionBucket.tickets
            ).where(whole_part(parts, ResolutionBucket.month))
        )
    if parts.edges:
        queries.append(
            select(Resolution.category, Resolution.bucket, func.count())
            .where(edge_part(parts, Resolution.resolved_at))
            .group_by(Resolution.category, Resolution.bucket)
        )
    return narrowed(queries, categories)


def resolution_time_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> Table:
    """Mean resolution hours by the month (UTC) in which tickets were resolved (seed 001):
    columns month ('YYYY-MM'), count, mean_hours. `time_range` picks whole months: those
    from the one holding its start to the one holding its end."""
    parts = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    query = (
        select(
            ResolvedMonth.month, func.sum(ResolvedMonth.tickets), func.sum(ResolvedMonth.seconds)
        )
        .where(whole_part(parts, ResolvedMonth.month))
        .group_by(ResolvedMonth.month)
        .order_by(ResolvedMonth.month)
    )
    if categories:
        query = query.where(ResolvedMonth.category.in_(categories))
    rows = [
        (month.strftime("%Y-%m"), int(count), seconds / count / 3600)
        for month, count, seconds in session.connection().execute(query)
        if count > 0
    ]
    return Table(MONTHLY_COLUMNS, rows)
