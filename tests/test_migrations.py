"""Migrations build exactly the schema the models describe, on an empty database, and fill
what they add from what is there."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, select, text

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
    # The last value: one change counted for each row there at the upgrade (0105).
    assert [tuple(row) for row in months] == [
        (date(2025, 1, 1), "billing", 1, 4.0, 1),
        (date(2025, 1, 1), "bug", 5, 42.5, 1),
        (date(2025, 2, 1), "bug", 5, 1.0, 1),
    ]


def test_the_change_counts_come_and_go_with_their_rows_kept(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0104_resolved_months")
    row = {"category": "bug", "status": "open", "tickets": 3}
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO analytics_status_counts VALUES (:category, :status, :tickets)"),
                row,
            )
        migrate.upgrade(empty_database)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT * FROM analytics_status_counts")).all() == [
                ("bug", "open", 3, 1)
            ]
        command.downgrade(migrate.alembic_config(empty_database), "0104_resolved_months")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT * FROM analytics_status_counts")).all() == [
                ("bug", "open", 3)
            ]
            if engine.dialect.name == "sqlite":
                create = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'analytics_status_counts'")
                ).scalar_one()
                assert create.endswith("WITHOUT ROWID")
    finally:
        engine.dispose()
