"""Ticket volume: opened, closed and backlog per day, week or month (what a manager reads
first). Read from the daily counters; pandas lays them out as a series."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from enum import StrEnum

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.models import OpenedCount, ResolvedDay
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.ranges import TimeRange
from ticketdesk.db import utcnow
from ticketdesk.errors import InvalidValue

COLUMNS = ["period", "opened", "closed", "backlog"]
MAX_PERIODS = 3660


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# pandas period frequencies; weeks start on Monday (they end on Sunday).
FREQUENCY = {Interval.DAY: "D", Interval.WEEK: "W-SUN", Interval.MONTH: "M"}
DEFAULT_PERIODS = {Interval.DAY: 30, Interval.WEEK: 12, Interval.MONTH: 12}


def ticket_volume(
    session: Session,
    *,
    interval: Interval,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
    now: datetime | None = None,
) -> pd.DataFrame:
    """Per period: tickets opened, tickets closed (resolved, or closed unresolved) and the
    backlog at the period's end (opened by then and not closed by then).

    The series runs over the calendar periods (UTC) that meet [start, end): by default the
    last 30 days, 12 weeks or 12 months up to the current one.
    """
    freq = FREQUENCY[interval]
    periods = _periods(interval, time_range, now or utcnow())
    if len(periods) == 0:
        return pd.DataFrame(columns=COLUMNS)
    first = periods[0].start_time.date()
    stop = (periods[-1] + 1).start_time.date()
    daily = _daily(session, first, stop, categories)
    per_period = daily.groupby(pd.PeriodIndex(daily["day"], freq=freq))[["opened", "closed"]]
    series = per_period.sum().reindex(periods, fill_value=0)
    baseline = _backlog_before(session, first, categories)
    series["backlog"] = baseline + (series["opened"] - series["closed"]).cumsum()
    series["period"] = [period.start_time.date().isoformat() for period in series.index]
    result: pd.DataFrame = series[COLUMNS].reset_index(drop=True)
    return result


def _periods(interval: Interval, time_range: TimeRange, now: datetime) -> pd.PeriodIndex:
    start = time_range.start
    end = time_range.end or now
    if start is None:
        current = period_start(Period(interval.value), end - timedelta(microseconds=1))
        first = pd.Period(current.replace(tzinfo=None), freq=FREQUENCY[interval])
        start_period = first - (DEFAULT_PERIODS[interval] - 1)
    else:
        start_period = pd.Period(start.replace(tzinfo=None), freq=FREQUENCY[interval])
    if end <= (start or end - timedelta(days=1)):
        return pd.PeriodIndex([], freq=FREQUENCY[interval])
    last = pd.Period((end - timedelta(microseconds=1)).replace(tzinfo=None), FREQUENCY[interval])
    if (last - start_period).n >= MAX_PERIODS:
        raise InvalidValue(
            f"at most {MAX_PERIODS} periods at a time; narrow the range", field="from"
        )
    return pd.period_range(start_period, last, freq=FREQUENCY[interval])


def _daily(
    session: Session, first: object, stop: object, categories: Collection[str]
) -> pd.DataFrame:
    """Opened and closed per day in [first, stop), summed over the categories asked for."""
    frames = []
    for model, column in ((OpenedCount, "opened"), (ResolvedDay, "closed")):
        query = (
            select(model.day, func.sum(model.tickets))
            .where(model.day >= first, model.day < stop)
            .group_by(model.day)
        )
        if categories:
            query = query.where(model.category.in_(categories))
        frames.append(
            pd.DataFrame([tuple(row) for row in session.execute(query)], columns=["day", column])
        )
    both = pd.concat(frames, ignore_index=True).fillna(0)
    both["day"] = pd.to_datetime(both["day"])
    return both.astype({"opened": "int64", "closed": "int64"})


def _backlog_before(session: Session, first: object, categories: Collection[str]) -> int:
    opened = select(func.sum(OpenedCount.tickets)).where(OpenedCount.day < first)
    closed = select(func.sum(ResolvedDay.tickets)).where(ResolvedDay.day < first)
    if categories:
        opened = opened.where(OpenedCount.category.in_(categories))
        closed = closed.where(ResolvedDay.category.in_(categories))
    return int(session.scalar(opened) or 0) - int(session.scalar(closed) or 0)
