"""Percentiles walked over histogram rows, against the same values listed one by one."""

from __future__ import annotations

import random
from fractions import Fraction

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.percentiles import percentile_buckets


def test_percentile_buckets_match_the_values_listed_one_by_one() -> None:
    rng = random.Random(7)
    quantiles = [Fraction(1, 100), MEDIAN, P90, Fraction(1)]
    for _ in range(200):
        rows = sorted(
            (rng.choice("abc"), rng.randrange(20), rng.randrange(4))
            for _ in range(rng.randrange(30))
        )  # in order, a bucket repeated, some with no tickets
        got = percentile_buckets(rows, quantiles=quantiles)
        expected = []
        for group in sorted({group for group, _bucket, tickets in rows if tickets}):
            values = [b for g, b, tickets in rows if g == group for _ in range(tickets)]
            ranks = [max(1, -(-len(values) * q.numerator // q.denominator)) for q in quantiles]
            expected.append((group, len(values), [values[at - 1] for at in ranks]))
        assert got == expected, rows
