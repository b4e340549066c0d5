"""Log-scale histogram buckets for durations, and percentiles read from them.

A duration of s seconds falls in bucket 0 when s < 1, else in bucket 1 + floor(16·log2 s):
sixteen buckets per doubling, so each bucket spans a factor of 2^(1/16) ≈ 1.044. A
percentile is reported as the geometric middle of the bucket that holds the value of that
rank, which is within 2^(1/32) - 1 ≈ 2.2% of the true value (for durations of a second or
more). Medians and p90s over millions of tickets then cost a sum over a few hundred buckets.
"""

from __future__ import annotations

import math
from fractions import Fraction

PER_DOUBLING = 16
# ln(s) * SCALE == PER_DOUBLING * log2(s); SQL has ln() on both databases.
SCALE = PER_DOUBLING / math.log(2)
RELATIVE_PRECISION = 2 ** (1 / (2 * PER_DOUBLING)) - 1
MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


def bucket_of(seconds: float) -> int:
    if seconds < 1:
        return 0
    return 1 + math.floor(math.log(seconds) * SCALE)


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """The durations in seconds that fall in `bucket`: [low, high)."""
    if bucket <= 0:
        return 0.0, 1.0
    return 2 ** ((bucket - 1) / PER_DOUBLING), 2 ** (bucket / PER_DOUBLING)


def representative_seconds(bucket: int) -> float:
    """The value reported for a percentile that falls in `bucket`: its geometric middle."""
    if bucket <= 0:
        return 0.5
    return float(2 ** ((bucket - 0.5) / PER_DOUBLING))


def rank(count: int, quantile: Fraction) -> int:
    """The 1-based rank of the `quantile` among `count` sorted values (nearest rank)."""
    return max(1, -(-count * quantile.numerator // quantile.denominator))
