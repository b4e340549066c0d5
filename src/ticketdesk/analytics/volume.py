"""Ticket volume: opened, closed and backlog per day, week or month (what a manager reads
first). Summed per period from the daily counters by the database, and laid out as a series
in plain Python: a year of days through pandas' periods cost more CPU than the rest of the
request."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from ticketdesk.analytics.models import (
    OpenedCount,
    OpenedMonth,
    ResolvedDay,
    ResolvedMonth,
    StatusCount,
)
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.ranges import TimeRange, Unit, next_unit
from ticketdesk.analytics.sqlexpr import BOUND_CATEGORIES, dialect_of, period_of_day
from ticketdesk.analytics.table import Table
from ticketdesk.db import utcnow
from ticketdesk.errors import InvalidValue
from ticketdesk.precompiled import Precompiled

COLUMNS = ("period", "opened", "closed", "backlog")
MAX_PERIODS = 3660


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


DEFAULT_PERIODS = {Interval.DAY: 30, Interval.WEEK: 12, Interval.MONTH: 12}
Counter = type[OpenedCount] | type[OpenedMonth] | type[ResolvedDay] | type[ResolvedMonth]
# The counters read by month: a thirtieth of the days' rows, and the opened ones without the
# tickets' statuses (a year of days is about 21,000 rows at a million tickets).
MONTHLY: tuple[Counter, Counter] = (OpenedMonth, ResolvedMonth)
DAILY: tuple[Counter, Counter] = (OpenedCount, ResolvedDay)


def ticket_volume(
    session: Session,
    *,
    interval: Interval,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
    now: datetime | None = None,
) -> Table:
    """Per period: tickets opened, tickets closed (resolved, or closed unresolved) and the
    backlog at the period's end (opened by then and not closed by then).

    The series runs over the calendar periods (UTC) that meet [start, end): by default the
    last 30 days, 12 weeks or 12 months up to the current one. Weeks start on Monday.
    """
    starts = _period_starts(interval, time_range, now or utcnow())
    if not starts:
        return Table(COLUMNS, [])
    first, stop = starts[0], _next(starts[-1], interval)
    per_period = {start: [0, 0] for start in starts}
    counters = MONTHLY if interval == Interval.MONTH else DAILY  # opened, then resolved
    connection = session.connection()
    params = {"first": first, "stop": stop, "categories": sorted(categories)}
    series = _series(counters, interval == Interval.WEEK, dialect_of(session), bool(categories))
    for side, start, tickets in series.rows(connection, params):
        per_period[start][side] += int(tickets)
    sums = _sums_before(counters, bool(categories))
    ((ever, opened_after, closed_before),) = sums.rows(connection, params)
    # Opened before `first`: all tickets less those opened since, the series' own and any
    # after `stop`; of those, the ones not closed before it.
    opened_since = sum(opened for opened, _closed in per_period.values())
    backlog = int(ever or 0) - opened_since - int(opened_after or 0) - int(closed_before or 0)
    rows = []
    for start, (opened, closed) in per_period.items():
        backlog += opened - closed
        rows.append((start.isoformat(), opened, closed, backlog))
    return Table(COLUMNS, rows)


def _next(start: date, interval: Interval) -> date:
    if interval == Interval.MONTH:
        return next_unit(start, Unit.MONTH)
    return start + timedelta(days=7 if interval == Interval.WEEK else 1)


def _back(start: date, interval: Interval, periods: int) -> date:
    if interval == Interval.MONTH:
        months = start.year * 12 + start.month - 1 - periods
        return date(months // 12, months % 12 + 1, 1)
    return start - timedelta(days=(7 if interval == Interval.WEEK else 1) * periods)


def _period_starts(interval: Interval, time_range: TimeRange, now: datetime) -> list[date]:
    """The first day of each period that meets [start, end), in order."""
    end = time_range.end or now
    if time_range.start is not None and end <= time_range.start:
        return []
    last = _start_of(end - timedelta(microseconds=1), interval)
    if time_range.start is None:
        start = _back(last, interval, DEFAULT_PERIODS[interval] - 1)
    else:
        start = _start_of(time_range.start, interval)
    starts: list[date] = []
    while start <= last:
        if len(starts) == MAX_PERIODS:
            raise InvalidValue(
                f"at most {MAX_PERIODS} periods at a time; narrow the range", field="from"
            )
        starts.append(start)
        start = _next(start, interval)
    return starts


def _start_of(moment: datetime, interval: Interval) -> date:
    """The first day of the period (UTC) holding `moment`."""
    return period_start(Period(interval.value), moment.astimezone(UTC)).date()


def _first_day(model: Counter) -> Any:
    """A counter's date column: its day, or the first day of its month."""
    return model.month if model in MONTHLY else model.day  # type: ignore[union-attr]


# A few shapes (counters, by week or not, dialect, some categories or all), each built and
# compiled once: building them again at each request cost more CPU than running them.
@lru_cache(maxsize=32)
def _series(
    counters: tuple[Counter, Counter], by_week: bool, dialect: str, some_categories: bool
) -> Precompiled:
    """Rows (side, period's first day, tickets) of each counter of `counters` (side 0 and 1)
    over [`first`, `stop`), summed over `categories` when `some_categories` (bound at
    execution). A daily counter is summed by day, or by week over those days.

    Summed in the database: on SQLite every row fetched gives up the GIL and takes it back,
    and with four threads in a worker a year of days read one by one cost half as much CPU
    again as the request."""
    sides = []
    for side, model in enumerate(counters):
        day = _first_day(model)
        query = (
            select(day.label("day"), func.sum(model.tickets).label("tickets"))
            .where(day >= bindparam("first"), day < bindparam("stop"))
            .group_by(day)
        )
        if some_categories:
            query = query.where(model.category.in_(BOUND_CATEGORIES))
        days = query.subquery()
        start = period_of_day(dialect, "week", days.c.day) if by_week else days.c.day
        sides.append(
            select(literal(side, Integer()), start, func.sum(days.c.tickets)).group_by(start)
        )
    return Precompiled(select(*union_all(*sides).subquery().c))


@lru_cache(maxsize=8)
def _sums_before(counters: tuple[Counter, Counter], some_categories: bool) -> Precompiled:
    """Three sums over `categories` when `some_categories`: every ticket (the current counts
    per status), those opened from `stop` on, those closed before `first`. One statement:
    one round trip rather than three on PostgreSQL."""
    opened, resolved = counters
    opened_ever = select(func.sum(StatusCount.tickets))
    opened_after = select(func.sum(opened.tickets)).where(_first_day(opened) >= bindparam("stop"))
    closed_before = select(func.sum(resolved.tickets)).where(
        _first_day(resolved) < bindparam("first")
    )
    if some_categories:
        opened_ever = opened_ever.where(StatusCount.category.in_(BOUND_CATEGORIES))
        opened_after = opened_after.where(opened.category.in_(BOUND_CATEGORIES))
        closed_before = closed_before.where(resolved.category.in_(BOUND_CATEGORIES))
    return Precompiled(
        select(
            opened_ever.scalar_subquery(),
            opened_after.scalar_subquery(),
            closed_before.scalar_subquery(),
        )
    )
