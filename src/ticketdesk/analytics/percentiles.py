"""Percentiles read from histogram rows (see `buckets`), for many groups at once."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from ticketdesk.analytics.buckets import representative_seconds


def percentile_hours(
    histogram: pd.DataFrame, *, by: str, quantiles: dict[str, Fraction]
) -> pd.DataFrame:
    """From rows (`by`, bucket, tickets) give, per `by`: count and one column of hours for
    each named quantile (nearest rank: the value at rank ⌈q·n⌉)."""
    counts = histogram.groupby([by, "bucket"], as_index=False)["tickets"].sum()
    counts = counts[counts["tickets"] > 0].sort_values([by, "bucket"], ignore_index=True)
    cumulative = counts.groupby(by)["tickets"].cumsum()
    totals = counts.groupby(by)["tickets"].transform("sum")
    result = counts.groupby(by)["tickets"].sum().rename("count").to_frame()
    for name, quantile in quantiles.items():
        wanted = -(-totals * quantile.numerator // quantile.denominator)
        buckets = counts[cumulative >= wanted].groupby(by)["bucket"].first()
        result[name] = buckets.map(representative_seconds) / 3600
    final: pd.DataFrame = result.reset_index()
    return final
