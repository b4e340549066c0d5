"""Migrations build exactly the schema the models describe, on an empty database, and fill
what they add from what is there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select

from tests.conftest import BACKENDS, _postgres_database
from ticketdesk import migrate
from ticketdesk.analytics.models import ResolvedDay, ResolvedMonth


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        yield from _postgres_database()


def test_upgrade_then_check_finds_no_drift(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    migrate.check(empty_database)  # raises alembic.util.exc.CommandError on drift
    migrate.upgrade(empty_database)  # a second run is a no-op


def test_the_monthly_resolved_counters_are_filled_from_the_days(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0103_clustered_counters")
    days = [
        {"day": date(2025, 1, 1), "category": "bug", "tickets": 2, "seconds": 30.0},
        {"day": date(2025, 1, 31), "category": "bug", "tickets": 3, "seconds": 12.5},
        {"day": date(2025, 1, 31), "category": "billing", "tickets": 1, "seconds": 4.0},
        {"day": date(2025, 2, 1), "category": "bug", "tickets": 5, "seconds": 1.0},
    ]
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(insert(ResolvedDay.__table__), days)
        migrate.upgrade(empty_database)
        with engine.connect() as connection:
            months = connection.execute(
                select(ResolvedMonth.__table__).order_by("month", "category")
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in months] == [
        (date(2025, 1, 1), "billing", 1, 4.0),
        (date(2025, 1, 1), "bug", 5, 42.5),
        (date(2025, 2, 1), "bug", 5, 1.0),
    ]
