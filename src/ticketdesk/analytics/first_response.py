"""Time to first response: from opening to the first public comment by an agent or admin,
by the month (UTC) of that response."""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.models import FirstResponseBucket, FirstResponseMonth
from ticketdesk.analytics.percentiles import hours, packed_histograms, walked
from ticketdesk.analytics.ranges import TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import (
    BOUND_CATEGORIES,
    bound_whole_part,
    dialect_of,
    split_shape,
    split_values,
)
from ticketdesk.analytics.table import Table
from ticketdesk.precompiled import Precompiled

COLUMNS = ("month", "count", "median_hours", "p90_hours")


def first_response_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
) -> Table:
    """Columns month ('YYYY-MM'), count, median_hours, p90_hours (within 2.2%), for the
    whole months that `time_range` touches."""
    months = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    statement = _histogram(split_shape(months).bounds, bool(categories), dialect_of(session))
    params = split_values(months, categories)
    found = walked(statement.rows(session.connection(), params), quantiles=[MEDIAN, P90])
    return Table(
        COLUMNS,
        [
            (month.strftime("%Y-%m"), count, hours(median), hours(p90))
            for month, count, (median, p90) in found
        ],
    )


# Built and compiled once per shape (which bounds, some categories or all, dialect): building
# it at each request cost more CPU than the statement.
@lru_cache(maxsize=16)
def _histogram(bounds: frozenset[str], some_categories: bool, dialect: str) -> Precompiled:
    """The months' histograms (see `percentiles.packed_histograms`) within `bounds` and, when
    `some_categories`, of `categories`, both bound at execution."""
    # Every category together is a roll-up of its own; a few categories read theirs.
    table = FirstResponseBucket if some_categories else FirstResponseMonth
    query = select(table.month, table.bucket, table.tickets).where(
        bound_whole_part(table.month, bounds)
    )
    if some_categories:
        query = query.where(FirstResponseBucket.category.in_(BOUND_CATEGORIES))
    return Precompiled(packed_histograms([query], dialect, repeats=some_categories))
