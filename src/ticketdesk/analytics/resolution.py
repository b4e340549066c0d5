"""Resolution times: per ticket (paginated), summarized per category, and by month.

A ticket's resolution time is resolved_at - opened_at, or closed_at - opened_at when it was
closed without being resolved; reopened tickets have none until they are done again.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import pandas as pd
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.frames import fetch_frame
from ticketdesk.analytics.models import (
    Resolution,
    ResolutionBucket,
    ResolutionTotal,
    ResolvedDay,
)
from ticketdesk.analytics.percentiles import percentile_hours
from ticketdesk.analytics.ranges import TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import dialect_of, edge_part, month_label, whole_part

SUMMARY_COLUMNS = ["category", "count", "mean_hours", "median_hours", "p90_hours"]


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
    page = session.execute(
        query.order_by(Resolution.resolved_at.desc(), Resolution.ticket_id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return page, _count(session, time_range, categories)


def _count(session: Session, time_range: TimeRange, categories: Collection[str]) -> int:
    """How many tickets were resolved in the range: whole days from the daily counters."""
    parts = split(time_range, Unit.DAY)
    total = 0
    if parts.whole:
        query = select(func.sum(ResolvedDay.tickets)).where(whole_part(parts, ResolvedDay.day))
        if categories:
            query = query.where(ResolvedDay.category.in_(categories))
        total += session.scalar(query) or 0
    if parts.edges:
        query = select(func.count()).where(edge_part(parts, Resolution.resolved_at))
        if categories:
            query = query.where(Resolution.category.in_(categories))
        total += session.scalar(query) or 0
    return int(total)


def resolution_summary(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """Per category of the tickets resolved in the range: count and mean hours (exact), and
    median and p90 hours (from the histogram, within 2.2%)."""
    sums = _daily_sums(session, time_range, categories)
    if sums.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    sums["mean_hours"] = sums["seconds"] / sums["count"] / 3600
    spread = percentile_hours(
        _histogram(session, time_range, categories),
        by="category",
        quantiles={"median_hours": MEDIAN, "p90_hours": P90},
    ).drop(columns="count")
    result = sums.merge(spread, on="category", how="left")
    return result[SUMMARY_COLUMNS].sort_values("category", ignore_index=True)


def _daily_sums(
    session: Session, time_range: TimeRange, categories: Collection[str]
) -> pd.DataFrame:
    parts = split(time_range, Unit.DAY)
    queries = []
    if parts.whole:
        queries.append(
            select(
                ResolvedDay.category,
                func.sum(ResolvedDay.tickets),
                func.sum(ResolvedDay.seconds),
            )
            .where(whole_part(parts, ResolvedDay.day))
            .group_by(ResolvedDay.category)
        )
    if parts.edges:
        queries.append(
            select(Resolution.category, func.count(), func.sum(Resolution.seconds))
            .where(edge_part(parts, Resolution.resolved_at))
            .group_by(Resolution.category)
        )
    frame = fetch_frame(
        session,
        queries,
        dtypes={"category": str, "count": "int64", "seconds": "float64"},
        categories=categories,
    )
    frame = frame.groupby("category", as_index=False)[["count", "seconds"]].sum()
    return frame[frame["count"] > 0].reset_index(drop=True)


def _histogram(
    session: Session, time_range: TimeRange, categories: Collection[str]
) -> pd.DataFrame:
    """(category, bucket, tickets): whole months from the histogram, the rest from rows."""
    parts = split(time_range, Unit.MONTH)
    queries = []
    if time_range == TimeRange():  # all of history: the all-time histogram answers directly
        queries.append(
            select(ResolutionTotal.category, ResolutionTotal.bucket, ResolutionTotal.tickets)
        )
    elif parts.whole:
        queries.append(
            select(
                ResolutionBucket.category,
                ResolutionBucket.bucket,
                func.sum(ResolutionBucket.tickets),
            )
            .where(whole_part(parts, ResolutionBucket.month))
            .group_by(ResolutionBucket.category, ResolutionBucket.bucket)
        )
    if parts.edges:
        queries.append(
            select(Resolution.category, Resolution.bucket, func.count())
            .where(edge_part(parts, Resolution.resolved_at))
            .group_by(Resolution.category, Resolution.bucket)
        )
    return fetch_frame(
        session,
        queries,
        dtypes={"category": str, "bucket": "int64", "tickets": "int64"},
        categories=categories,
    )


def resolution_time_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """Mean resolution hours by the month (UTC) in which tickets were resolved (seed 001):
    columns month ('YYYY-MM'), count, mean_hours. `time_range` picks whole months: those
    from the one holding its start to the one holding its end."""
    parts = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    month = month_label(dialect_of(session), ResolvedDay.day)
    query = (
        select(month, func.sum(ResolvedDay.tickets), func.sum(ResolvedDay.seconds))
        .where(whole_part(parts, ResolvedDay.day))
        .group_by(month)
        .order_by(month)
    )
    if categories:
        query = query.where(ResolvedDay.category.in_(categories))
    frame = fetch_frame(
        session, [query], dtypes={"month": str, "count": "int64", "seconds": "float64"}
    )
    frame = frame[frame["count"] > 0]
    frame["mean_hours"] = frame["seconds"] / frame["count"] / 3600
    return frame[["month", "count", "mean_hours"]].reset_index(drop=True)
