"""Percentiles read from histogram rows (see `buckets`), for many groups at once."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from ticketdesk.analytics.buckets import representative_seconds


def percentile_hours(
    histogram: pd.DataFrame, *, by: str, quantiles: dict[str, Fraction]
) -> pd.DataFrame:
    """From rows (`by`, bucket, tickets) give, per `by`: count and one column of hours for
    each named quantile (nearest rank: the value at rank ceil(q*n))."""
    counts = histogram.groupby([by, "bucket"], sort=True)["tickets"].sum()
    counts = counts[counts > 0]
    groups = counts.index.get_level_values(0)
    buckets = counts.index.get_level_values(1).to_numpy()
    tickets = counts.to_numpy(dtype="int64")
    # Rows are sorted by group, then bucket: one running total serves every group.
    running = np.cumsum(tickets)
    names, starts = np.unique(groups.to_numpy(), return_index=True)
    ends = np.append(starts[1:], len(tickets))
    before = np.where(starts > 0, running[starts - 1], 0)
    totals = running[ends - 1] - before
    result = pd.DataFrame({by: names, "count": totals})
    for name, quantile in quantiles.items():
        wanted = -(-totals * quantile.numerator // quantile.denominator)
        rows = np.searchsorted(running, before + np.maximum(wanted, 1), side="left")
        seconds = np.array([representative_seconds(int(bucket)) for bucket in buckets[rows]])
        result[name] = seconds / 3600
    return result
