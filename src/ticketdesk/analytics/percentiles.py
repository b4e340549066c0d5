"""Percentiles read from histogram rows (see `buckets`), for many groups at once.

A histogram at a million tickets has a few thousand rows (months x buckets), and on SQLite
every row that crosses into Python gives up the GIL and takes it back: with four threads in
a worker, reading them one by one cost four times the CPU of the same request alone
(bench/RESULTS.md, session 13). So the database sends one row per group, its buckets and
their counts as two lists in text ('bucket,...' and 'tickets,...'), and the walk to each
rank is done here.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from fractions import Fraction
from itertools import accumulate
from typing import Any

from sqlalchemy import Select, func, select

from ticketdesk.analytics.buckets import rank, representative_seconds
from ticketdesk.analytics.sqlexpr import number_list, united


def packed_histograms(
    histograms: Sequence[Select[*tuple[Any, ...]]], dialect: str, *, repeats: bool
) -> Select[tuple[Any, str, str]]:
    """The rows of `histograms` (at least one) as `walked` reads them: one row a group, in
    the groups' order, with its buckets and their counts as two lists in text. If a group's
    bucket `repeats` (in several histograms, or in one of several months), its rows are
    added up here rather than in `walked`: at a million tickets, a resolution summary over
    17 months and two part months cost PostgreSQL 16-17 ms against 26-27 added up in Python
    (client CPU 1.5 ms against 9.4), and SQLite 69-73 against 77-78; the first-response
    figure of three categories cost SQLite 0.3-0.9 ms more."""
    rows = united(histograms)
    if repeats:
        group, bucket, tickets = rows.c
        rows = select(group, bucket, func.sum(tickets)).group_by(group, bucket).subquery()
    group, bucket, tickets = rows.c
    return (
        select(group, number_list(dialect, bucket), number_list(dialect, tickets))
        .group_by(group)
        .order_by(group)
    )


def walked(
    packed: Iterable[Sequence[Any]], *, quantiles: Sequence[Fraction]
) -> list[tuple[Any, int, list[int]]]:
    """From the rows of a `packed_histograms` statement: for each group that has tickets, in
    the groups' order, the group, its count and, for each of `quantiles`, the bucket that
    holds the value at the nearest rank ceil(q * count)."""
    found = []
    for name, buckets_listed, tickets_listed in packed:
        # Read as JSON: a few thousand numbers through int() one by one cost a millisecond
        # a request more. (Two plain lists: making each row 'bucket,tickets' in SQL cost
        # SQLite 1.1 ms of 2.7 at a million tickets.)
        at, counts = json.loads(f"[{buckets_listed}]"), json.loads(f"[{tickets_listed}]")
        totals = dict(zip(at, counts, strict=True))
        if len(totals) < len(at):
            raise ValueError(f"{name}: a bucket in several rows, packed without `repeats`")
        buckets = sorted(totals)
        # Tickets up to each bucket. A bucket with none never holds a rank: the one before
        # it reaches the same count first.
        running = list(accumulate(map(totals.__getitem__, buckets)))
        if running[-1] > 0:
            ranks = [rank(running[-1], quantile) for quantile in quantiles]
            found.append((name, running[-1], [buckets[bisect_left(running, at)] for at in ranks]))
    return found


def hours(bucket: int) -> float:
    """The hours reported for a percentile that falls in `bucket`."""
    return representative_seconds(bucket) / 3600
