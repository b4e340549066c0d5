"""Time to first response: from opening to the first public comment by an agent or admin,
by the month (UTC) of that response."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.models import FirstResponseBucket, FirstResponseMonth
from ticketdesk.analytics.percentiles import hours, percentile_buckets
from ticketdesk.analytics.ranges import TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import whole_part
from ticketdesk.analytics.table import Table

COLUMNS = ("month", "count", "median_hours", "p90_hours")


def first_response_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
) -> Table:
    """Columns month ('YYYY-MM'), count, median_hours, p90_hours (within 2.2%), for the
    whole months that `time_range` touches."""
    parts = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    # Every category together is a roll-up of its own; a few categories read theirs.
    table = FirstResponseBucket if categories else FirstResponseMonth
    query = select(table.month, table.bucket, table.tickets).where(whole_part(parts, table.month))
    if categories:
        query = query.where(FirstResponseBucket.category.in_(categories))
    found = percentile_buckets(session, [query], quantiles=[MEDIAN, P90])
    return Table(
        COLUMNS,
        [
            (month.strftime("%Y-%m"), count, hours(median), hours(p90))
            for month, count, (median, p90) in found
        ],
    )
