"""Percentiles read from histogram rows (see `buckets`), for many groups at once.

A histogram at a million tickets has a few thousand rows (months x buckets), and on SQLite
every row that crosses into Python gives up the GIL and takes it back: with four threads in
a worker, reading them one by one cost four times the CPU of the same request alone
(bench/RESULTS.md, session 13). So the database sends one row per group, its buckets as
text ('bucket tickets,...'), and the walk to each rank is done here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction
from itertools import accumulate
from typing import Any

from sqlalchemy import Select, String, cast, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import rank, representative_seconds
from ticketdesk.analytics.sqlexpr import dialect_of, text_list, united


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
    rows = united(histograms)
    group, bucket, tickets = rows.c
    pairs = cast(bucket, String).concat(" ").concat(cast(tickets, String))
    packed = select(group, text_list(dialect_of(session), pairs)).group_by(group).order_by(group)
    found = []
    for name, histogram in session.connection().execute(packed):
        numbers = [int(number) for number in histogram.replace(" ", ",").split(",")]
        totals: defaultdict[int, int] = defaultdict(int)
        for at, count in zip(numbers[0::2], numbers[1::2], strict=True):
            totals[at] += count
        buckets = sorted(at for at, count in totals.items() if count > 0)
        running = list(accumulate(totals[at] for at in buckets))  # tickets up to each bucket
        if running:
            ranks = [rank(running[-1], quantile) for quantile in quantiles]
            found.append((name, running[-1], [buckets[bisect_left(running, at)] for at in ranks]))
    return found


def hours(bucket: int) -> float:
    """The hours reported for a percentile that falls in `bucket`."""
    return representative_seconds(bucket) / 3600
