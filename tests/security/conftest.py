"""Shared by the attack tests: a picture of every row, to prove an attack changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import Actor
from ticketdesk.db import Database
from ticketdesk.models import Base

Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def snapshot(database: Database) -> Callable[[], Snapshot]:
    """Every row of every table, ordered: equal snapshots mean nothing was written."""

    def take() -> Snapshot:
        with database.engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }

    return take


@pytest.fixture
def victim_ticket(other_requester: Actor, agent: Actor) -> dict[str, Any]:
    """Someone else's ticket, with a public reply and an internal note on it."""
    ticket = other_requester.create_ticket(
        title="Payroll export", description="Salaries for March attached"
    )
    url = f"/api/tickets/{ticket['id']}/comments"
    assert agent.post(url, json={"content": "On it"}).status_code == 201
    assert agent.post(url, json={"content": "VIP", "internal": True}).status_code == 201
    return ticket
