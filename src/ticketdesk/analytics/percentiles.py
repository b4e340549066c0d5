"""Percentiles read from histogram rows (see `buckets`), for many groups at once.

A histogram at a million tickets has a few thousand rows (months x buckets). The database
sends them in order, and they are walked here once, in plain Python: through pandas, or
with each month read as a date, the same walk cost more CPU than the rest of the request
(bench/RESULTS.md, session 13), and SQLite's window functions were slower still.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, select, union_all

from ticketdesk.analytics.buckets import rank, representative_seconds


def percentile_buckets(
    rows: Iterable[Sequence[Any]], *, quantiles: Sequence[Fraction]
) -> list[tuple[Any, int, list[int]]]:
    """From histogram rows (group, bucket, tickets) sorted by group, then bucket (a bucket
    may come in several rows in a row: they are added up): for each group that has tickets,
    the group, its count and, for each of `quantiles`, the bucket that holds the value at
    the nearest rank ceil(q * count)."""
    found = []
    for group, histogram in groupby(rows, key=itemgetter(0)):
        buckets: list[int] = []
        running: list[int] = []  # tickets in this bucket and all below it
        count = 0
        for _group, bucket, tickets in histogram:
            if not tickets:
                continue
            count += tickets
            if buckets and buckets[-1] == bucket:
                running[-1] = count
            else:
                buckets.append(bucket)
                running.append(count)
        if count:
            ranks = [rank(count, quantile) for quantile in quantiles]
            found.append((group, count, [buckets[bisect_left(running, at)] for at in ranks]))
    return found


def in_order(histograms: Sequence[Select[*tuple[Any, ...]]]) -> Select[*tuple[Any, ...]]:
    """The rows (group, bucket, tickets) of all `histograms`, by group, then bucket, as
    `percentile_buckets` takes them."""
    rows = union_all(*histograms).subquery()
    group, bucket, _tickets = rows.c
    return select(*rows.c).order_by(group, bucket)


def hours(bucket: int) -> float:
    """The hours reported for a percentile that falls in `bucket`."""
    return representative_seconds(bucket) / 3600
