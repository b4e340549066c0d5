"""Time to first response: from opening to the first public comment by an agent or admin,
by the month (UTC) of that response."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.frames import fetch_frame
from ticketdesk.analytics.models import FirstResponseBucket, FirstResponseMonth
from ticketdesk.analytics.percentiles import percentile_hours
from ticketdesk.analytics.ranges import TimeRange, Unit, split, widen
from ticketdesk.analytics.sqlexpr import whole_part

COLUMNS = ["month", "count", "median_hours", "p90_hours"]


def first_response_by_month(
    session: Session,
    *,
    time_range: TimeRange = TimeRange(),  # noqa: B008 - frozen, so safe as a default
    categories: Collection[str] = (),
) -> pd.DataFrame:
    """Columns month ('YYYY-MM'), count, median_hours, p90_hours (within 2.2%), for the
    whole months that `time_range` touches."""
    parts = split(widen(time_range, Unit.MONTH), Unit.MONTH)
    # Every category together is a roll-up of its own; a few categories read theirs.
    table = FirstResponseBucket if categories else FirstResponseMonth
    query = (
        select(table.month, table.bucket, func.sum(table.tickets))
        .where(whole_part(parts, table.month))
        .group_by(table.month, table.bucket)  # the primary key's order: no sorting
    )
    if categories:
        query = query.where(FirstResponseBucket.category.in_(categories))
    histogram = fetch_frame(
        session, [query], dtypes={"month": "datetime64[s]", "bucket": "int64", "tickets": "int64"}
    )
    if histogram.empty:
        return pd.DataFrame(columns=COLUMNS)
    result = percentile_hours(
        histogram, by="month", quantiles={"median_hours": MEDIAN, "p90_hours": P90}
    )
    # Named once a month, not once a row of the histogram (a few thousand at a million).
    result["month"] = result["month"].dt.strftime("%Y-%m")
    ordered: pd.DataFrame = result[result["count"] > 0][COLUMNS].sort_values("month")
    return ordered.reset_index(drop=True)
