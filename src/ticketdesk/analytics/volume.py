"""Ticket volume: opened, closed and backlog per day, week or month (what a manager reads
first). Summed per period from the daily counters by the database, and laid out as a series
in plain Python: a year of days through pandas' periods cost more CPU than the rest of the
request."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
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
from ticketdesk.analytics.sqlexpr import dialect_of, period_of_day
from ticketdesk.analytics.table import Table
from ticketdesk.db import utcnow
from ticketdesk.errors import InvalidValue

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
    for side, model in enumerate(counters):  # the series' column order
        for start, tickets in _per_period(session, model, interval, first, stop, categories):
            per_period[start][side] += tickets
    backlog = _backlog_before(session, counters, first, stop, per_period.values(), categories)
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


def _per_period(
    session: Session,
    model: Counter,
    interval: Interval,
    first: date,
    stop: date,
    categories: Collection[str],
) -> list[tuple[date, int]]:
    """Tickets per period in [first, stop) of a daily (or, by month, monthly) counter,
    summed over `categories`.

    By week, summed by day in the key's order, then by week over those days, in the
    database: on SQLite every row fetched gives up the GIL and takes it back, and with four
    threads in a worker a year of days read one by one cost half as much CPU again as the
    request.
    """
    day = _first_day(model)
    query = (
        select(day.label("day"), func.sum(model.tickets).label("tickets"))
        .where(day >= first, day < stop)
        .group_by(day)
    )
    if categories:
        query = query.where(model.category.in_(categories))
    if interval == Interval.WEEK:  # by day and by month, each row is a period already
        days = query.subquery()
        start = period_of_day(dialect_of(session), interval.value, days.c.day)
        query = select(start, func.sum(days.c.tickets)).group_by(start)
    return [(day, int(tickets)) for day, tickets in session.connection().execute(query)]


def _backlog_before(
    session: Session,
    counters: tuple[Counter, Counter],
    first: date,
    stop: date,
    per_period: Collection[list[int]],
    categories: Collection[str],
) -> int:
    """Tickets opened before `first` and not closed before it.

    Those opened are all tickets (the current counts per status) less those opened since:
    the series' own (`per_period`, opened then closed) and any after `stop`. The series
    mostly covers recent days, so this reads far fewer counter rows than those before it.
    """
    opened, resolved = counters
    opened_ever = select(func.sum(StatusCount.tickets))
    opened_after = select(func.sum(opened.tickets)).where(_first_day(opened) >= stop)
    closed_before = select(func.sum(resolved.tickets)).where(_first_day(resolved) < first)
    if categories:
        opened_ever = opened_ever.where(StatusCount.category.in_(categories))
        opened_after = opened_after.where(opened.category.in_(categories))
        closed_before = closed_before.where(resolved.category.in_(categories))
    # The three sums in one statement: one round trip rather than three on PostgreSQL.
    sums = select(
        opened_ever.scalar_subquery(),
        opened_after.scalar_subquery(),
        closed_before.scalar_subquery(),
    )
    ever, after, closed = session.connection().execute(sums).one()
    opened_since = sum(opened for opened, _closed in per_period)
    opened_before = int(ever or 0) - opened_since - int(after or 0)
    return opened_before - int(closed or 0)
