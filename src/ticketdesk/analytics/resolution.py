"""Resolution times: per ticket (paginated), summarized per category, and by month.

A ticket's resolution time is resolved_at - opened_at, or closed_at - opened_at when it was
closed without being resolved; reopened tickets have none until they are done again.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, literal, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.models import (
    Resolution,
    ResolutionBucket,
    ResolutionTotal,
    ResolvedDay,
    ResolvedMonth,
)
from ticketdesk.analytics.percentiles import hours, packed_histograms, walked
from ticketdesk.analytics.ranges import TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import (
    BOUND_CATEGORIES,
    SplitShape,
    bound_edge_part,
    bound_narrowed,
    bound_whole_part,
    dialect_of,
    split_shape,
    split_values,
    united,
)
from ticketdesk.analytics.table import Table
from ticketdesk.precompiled import Precompiled

SUMMARY_COLUMNS = ("category", "count", "mean_hours", "median_hours", "p90_hours")
MONTHLY_COLUMNS = ("month", "count", "mean_hours")


def resolution_times(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
    offset: int = 0,
    limit: int = 25,
) -> tuple[list[tuple[Any, ...]], int]:
    """One page of resolved tickets, the most recently resolved first, and how many match.

    Rows are (ticket_id, category, opened_at, resolved_at, seconds); resolved_at is the
    closing time for tickets closed without being resolved.
    """
    start, end = time_range.clamped()
    values = {
        "start": start,
        "end": end,
        "categories": sorted(categories),
        "offset": offset,
        "limit": limit,
    }
    page = _page(bool(categories)).rows(session.connection(), values)
    return page, _count(session, time_range, categories)


@lru_cache(maxsize=2)
def _page(some_categories: bool) -> Precompiled:
    """A page of the resolutions between `start` and `end` and, when `some_categories`, of
    `categories`, all bound at execution with the page's `offset` and `limit`."""
    query = select(
        Resolution.ticket_id,
        Resolution.category,
        Resolution.opened_at,
        Resolution.resolved_at,
        Resolution.seconds,
    ).where(Resolution.resolved_at >= bindparam("start"), Resolution.resolved_at < bindparam("end"))
    if some_categories:
        query = query.where(Resolution.category.in_(BOUND_CATEGORIES))
    return Precompiled(
        query.order_by(Resolution.resolved_at.desc(), Resolution.ticket_id.desc())
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


def _count(session: Session, time_range: TimeRange, categories: Collection[str]) -> int:
    """How many tickets were resolved in the range: whole days from the counters, the rest
    counted in the index of rows."""
    days = split(time_range, Unit.DAY)
    statement = _counted_resolutions(split_shape(days), bool(categories))
    if statement is None:  # an empty range
        return 0
    ((total,),) = statement.rows(session.connection(), split_values(days, categories))
    return int(total or 0)


@lru_cache(maxsize=32)
def _counted_resolutions(shape: SplitShape, some_categories: bool) -> Precompiled | None:
    """How many tickets were resolved in the range (split by day into `shape`): the
    counters' tickets of its whole days and the rows of its part days, added up. None for
    an empty range."""
    counts: list[Select[*tuple[Any, ...]]] = []
    counted = _counted(shape)
    if counted is not None:
        (counters,) = bound_narrowed([counted], some_categories)
        counts.append(select(func.sum(counters.subquery().c.tickets)))
    if shape.edges:
        edge_rows = select(func.count()).where(bound_edge_part(Resolution.resolved_at, shape.edges))
        if some_categories:
            edge_rows = edge_rows.where(Resolution.category.in_(BOUND_CATEGORIES))
        counts.append(edge_rows)
    if not counts:
        return None
    (count,) = united(counts).c
    return Precompiled(select(func.sum(count)))


def resolution_summary(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> Table:
    """Per category of the tickets resolved in the range: count and mean hours (exact), and
    median and p90 hours (from the histogram, within 2.2%)."""
    connection = session.connection()
    months, days = split(time_range, Unit.MONTH), split(time_range, Unit.DAY)
    histograms = _histograms(split_shape(months), bool(categories), dialect_of(session))
    sums = _sums(split_shape(days), bool(categories))
    if histograms is None or sums is None:  # an empty range
        return Table(SUMMARY_COLUMNS, [])
    spread = {
        category: (hours(median), hours(p90))
        for category, _count, (median, p90) in walked(
            histograms.rows(connection, split_values(months, categories)),
            quantiles=[MEDIAN, P90],
        )
    }
    rows = [
        (category, count, seconds / count / 3600, *spread.get(category, (None, None)))
        for category, count, seconds in sums.rows(connection, split_values(days, categories))
    ]
    return Table(SUMMARY_COLUMNS, rows)


# The statements below are built and compiled once per shape (the split's shape, some
# categories or all): building them at each request cost more CPU than running them. Their
# dates, instants and categories are bound at execution.
@lru_cache(maxsize=32)
def _sums(shape: SplitShape, some_categories: bool) -> Precompiled | None:
    """(category, count, seconds) of the tickets resolved in the range, by category: whole
    days from the counters (`_counted`), the rest from rows. None for an empty range."""
    counted = _counted(shape)
    queries: list[Select[*tuple[Any, ...]]] = [] if counted is None else [counted]
    if shape.edges:
        queries.append(
            select(Resolution.category, literal(1), Resolution.seconds).where(
                bound_edge_part(Resolution.resolved_at, shape.edges)
            )
        )
    if not queries:
        return None
    rows = united(bound_narrowed(queries, some_categories))
    category, tickets, seconds = rows.c
    return Precompiled(
        select(category, func.sum(tickets), func.sum(seconds))
        .group_by(category)
        .having(func.sum(tickets) > 0)
        .order_by(category)
    )


def _counted(shape: SplitShape) -> Select[*tuple[Any, ...]] | None:
    """Rows (category, tickets, seconds) of the counters for the range's whole days (split
    by day into `shape`): over all of history, the monthly ones, a thirtieth as many. None
    when the range has no whole day."""
    if shape.all_of_history:
        return select(ResolvedMonth.category, ResolvedMonth.tickets, ResolvedMonth.seconds)
    if shape.whole:
        return select(ResolvedDay.category, ResolvedDay.tickets, ResolvedDay.seconds).where(
            bound_whole_part(ResolvedDay.day, shape.bounds)
        )
    return None


@lru_cache(maxsize=32)
def _histograms(shape: SplitShape, some_categories: bool, dialect: str) -> Precompiled | None:
    """The categories' histograms (see `percentiles.packed_histograms`) of the tickets
    resolved in the range (split by month into `shape`): whole months from the histogram,
    the rest from rows. None for an empty range."""
    queries: list[Select[*tuple[Any, ...]]] = []
    if shape.all_of_history:  # the all-time histogram answers directly
        queries.append(
            select(ResolutionTotal.category, ResolutionTotal.bucket, ResolutionTotal.tickets)
        )
    elif shape.whole:
        queries.append(
            select(
                ResolutionBucket.category, ResolutionBucket.bucket, ResolutionBucket.tickets
            ).where(bound_whole_part(ResolutionBucket.month, shape.bounds))
        )
    if shape.edges:
        queries.append(
            select(Resolution.category, Resolution.bucket, func.count())
            .where(bound_edge_part(Resolution.resolved_at, shape.edges))
            .group_by(Resolution.category, Resolution.bucket)
        )
    if not queries:
        return None
    histograms = bound_narrowed(queries, some_categories)
    return Precompiled(packed_histograms(histograms, dialect, repeats=not shape.all_of_history))


def resolution_time_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> Table:
    """Mean resolution hours by the month (UTC) in which tickets were resolved (seed 001):
    columns month ('YYYY-MM'), count, mean_hours. `time_range` picks whole months: those
    from the one holding its start to the one holding its end."""
    months = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    statement = _monthly_sums(split_shape(months).bounds, bool(categories))
    params = split_values(months, categories)
    rows = [
        (month.strftime("%Y-%m"), int(count), seconds / count / 3600)
        for month, count, seconds in statement.rows(session.connection(), params)
        if count > 0
    ]
    return Table(MONTHLY_COLUMNS, rows)


# Built and compiled once per shape (which bounds, some categories or all): building it at
# each request cost more CPU than running it.
@lru_cache(maxsize=8)
def _monthly_sums(bounds: frozenset[str], some_categories: bool) -> Precompiled:
    """(month, tickets, seconds) of the months within `bounds` and, when `some_categories`,
    of `categories`, both bound at execution."""
    query = (
        select(
            ResolvedMonth.month, func.sum(ResolvedMonth.tickets), func.sum(ResolvedMonth.seconds)
        )
        .where(bound_whole_part(ResolvedMonth.month, bounds))
        .group_by(ResolvedMonth.month)
        .order_by(ResolvedMonth.month)
    )
    if some_categories:
        query = query.where(ResolvedMonth.category.in_(BOUND_CATEGORIES))
    return Precompiled(query)
