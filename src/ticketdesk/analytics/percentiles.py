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

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import rank, representative_seconds
from ticketdesk.analytics.sqlexpr import dialect_of, number_list, united


def percentile_buckets(
    session: Session,
    histograms: Sequence[Select[*tuple[Any, ...]]],
    *,
    quantiles: Sequence[Fraction],
) -> list[tuple[Any, int, list[int]]]:
    """From the rows (group, bucket, tickets) of `histograms`, in any order and with a
    group's bucket possibly in several rows (they are added up): for each group that has
    tickets, in the groups' order, the group, its count and, for each of `quantiles`, the
    bucket that holds the value at the nearest rank ceil(q * count)."""
    if not histograms:
        return []
    packed = packed_histograms(histograms, dialect_of(session))
    return walked(session.connection().execute(packed), quantiles=quantiles)


def packed_histograms(
    histograms: Sequence[Select[*tuple[Any, ...]]], dialect: str
) -> Select[tuple[Any, str, str]]:
    """The rows of `histograms` (at least one) as `walked` reads them: one row a group, in
    the groups' order, with its buckets and their counts as two lists in text."""
    rows = united(histograms)
    group, bucket, tickets = rows.c
    return (
        select(group, number_list(dialect, bucket), number_list(dialect, tickets))
        .group_by(group)
        .order_by(group)
    )


def walked(
    packed: Iterable[Sequence[Any]], *, quantiles: Sequence[Fraction]
) -> list[tuple[Any, int, list[int]]]:
    """`percentile_buckets` of the rows of a `packed_histograms` statement."""
    found = []
    for name, buckets_listed, tickets_listed in packed:
        # Read as JSON: a few thousand numbers through int() one by one cost a millisecond
        # a request more. (Two plain lists: making each row 'bucket,tickets' in SQL cost
        # SQLite 1.1 ms of 2.7 at a million tickets.)
        at, counts = json.loads(f"[{buckets_listed}]"), json.loads(f"[{tickets_listed}]")
        totals = dict(zip(at, counts, strict=True))
        if len(totals) < len(at):  # a bucket in more than one row: add them up
            totals = dict.fromkeys(at, 0)
            for bucket_at, count in zip(at, counts, strict=True):
                totals[bucket_at] += count
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
