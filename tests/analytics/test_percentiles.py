"""Percentiles read from histogram rows, against the same values listed one by one."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.buckets import MEDIAN, P90
from ticketdesk.analytics.models import ResolutionTotal
from ticketdesk.analytics.percentiles import packed_histograms, walked
from ticketdesk.analytics.sqlexpr import dialect_of

QUANTILES = [Fraction(1, 100), MEDIAN, P90, Fraction(1)]


def test_percentile_buckets_match_the_values_listed_one_by_one(session: Session) -> None:
    rng = random.Random(7)
    histogram = select(ResolutionTotal.category, ResolutionTotal.bucket, ResolutionTotal.tickets)
    for _ in range(25):
        rows = {
            (rng.choice("abc"), rng.randrange(300)): rng.randrange(4)
            for _ in range(rng.randrange(60))
        }  # some buckets with no tickets, some groups with none at all
        session.execute(delete(ResolutionTotal))
        if rows:
            session.execute(
                insert(ResolutionTotal),
                [{"category": g, "bucket": b, "tickets": n} for (g, b), n in rows.items()],
            )
        # The same histogram twice: every bucket comes in two rows, to be added up.
        for copies, repeats in ((1, False), (1, True), (2, True)):
            packed = packed_histograms([histogram] * copies, dialect_of(session), repeats=repeats)
            got = walked(session.execute(packed), quantiles=QUANTILES)
            assert got == _listed_one_by_one(rows, copies), rows


def _listed_one_by_one(
    rows: dict[tuple[str, int], int], copies: int
) -> list[tuple[str, int, list[int]]]:
    expected = []
    for group in sorted({group for (group, _bucket), tickets in rows.items() if tickets}):
        values = sorted(
            bucket
            for (g, bucket), tickets in rows.items()
            if g == group
            for _ in range(tickets * copies)
        )
        ranks = [max(1, -(-len(values) * q.numerator // q.denominator)) for q in QUANTILES]
        expected.append((group, len(values), [values[at - 1] for at in ranks]))
    return expected


def test_a_bucket_repeated_unannounced_is_refused(session: Session) -> None:
    session.execute(insert(ResolutionTotal), [{"category": "a", "bucket": 3, "tickets": 1}])
    histogram = select(ResolutionTotal.category, ResolutionTotal.bucket, ResolutionTotal.tickets)
    packed = packed_histograms([histogram] * 2, dialect_of(session), repeats=False)
    with pytest.raises(ValueError, match="a bucket in several rows"):
        walked(session.execute(packed), quantiles=QUANTILES)
