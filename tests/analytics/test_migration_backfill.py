"""Migrating a database from before the aggregates fills them from the tickets it has."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from tests.conftest import BACKENDS, _postgres_database
from ticketdesk import migrate
from ticketdesk.accounts.models import User
from ticketdesk.analytics.models import OpenedCount, Resolution, ResolvedMonth
from ticketdesk.db import create_db_engine
from ticketdesk.tickets.models import Ticket


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
    else:
        yield from _postgres_database()


def test_upgrade_backfills_existing_tickets(empty_database: str) -> None:
    migrate.upgrade(empty_database, "0001")
    engine = create_db_engine(empty_database)
    opened = datetime(2024, 3, 1, 9, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(User.__table__).values(
                id=1,
                email="r@example.com",
                name="r",
                role="requester",
                is_active=True,
                created_at=opened,
            )
        )
        common = {
            "description": "d",
            "priority": "normal",
            "requester_id": 1,
            "version": 1,
            "opened_at": opened,
            "updated_at": opened,
            "closed_at": None,
        }
        connection.execute(
            insert(Ticket.__table__),
            [
                {**common, "id": 1, "title": "a", "status": "open", "category": "x"},
                {
                    **common,
                    "id": 2,
                    "title": "b",
                    "status": "closed",
                    "category": "x",
                    "closed_at": datetime(2024, 3, 2, 9, tzinfo=UTC),
                },
            ],
        )
    migrate.upgrade(empty_database)
    with engine.connect() as connection:
        assert connection.scalar(select(func.sum(OpenedCount.tickets))) == 2
        assert connection.execute(select(Resolution.ticket_id, Resolution.seconds)).all() == [
            (2, 86400.0)
        ]
        assert connection.execute(
            select(ResolvedMonth.month, ResolvedMonth.tickets, ResolvedMonth.seconds)
        ).all() == [(date(2024, 3, 1), 1, 86400.0)]
    engine.dispose()
