"""Percentiles read from histogram rows (see `buckets`), for many groups at once.

A histogram at a million tickets has a few thousand rows (months x buckets). They are
walked here in plain Python, with the groups as the database labels them: through pandas,
or with each month read as a date, the same walk cost four times as much CPU as the rest of
the request (bench/RESULTS.md, session 13), and SQLite's window functions were slower still.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import accumulate, groupby
from typing import Any

from ticketdesk.analytics.buckets import rank, representative_seconds


def percentile_buckets(
    rows: Iterable[Sequence[Any]], *, quantiles: Sequence[Fraction]
) -> list[tuple[Any, int, list[int]]]:
    """From histogram rows (group, bucket, tickets), in any order and with a group's bucket
    possibly in several rows (they are added up): for each group that has tickets, in the
    groups' order, the group, its count and, for each of `quantiles`, the bucket that holds
    the value at the nearest rank ceil(q * count)."""
    totals: dict[tuple[Any, int], int] = {}
    for group, bucket, tickets in rows:
        totals[group, bucket] = totals.get((group, bucket), 0) + tickets
    found = []
    ordered = sorted((key, tickets) for key, tickets in totals.items() if tickets > 0)
    for group, items in groupby(ordered, key=lambda item: item[0][0]):
        buckets, tickets = zip(*[(bucket, tickets) for (_, bucket), tickets in items], strict=True)
        running = list(accumulate(tickets))
        count = running[-1]
        picked = [buckets[bisect_left(running, rank(count, quantile))] for quantile in quantiles]
        found.append((group, count, picked))
    return found


def hours(bucket: int) -> float:
    """The hours reported for a percentile that falls in `bucket`."""
    return representative_seconds(bucket) / 3600
