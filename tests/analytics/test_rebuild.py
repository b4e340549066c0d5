"""The aggregates kept change by change equal the ones rebuilt from scratch."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.analytics.history import make_history
from tests.factories import Actor
from ticketdesk.accounts.models import User
from ticketdesk.analytics.rebuild import TABLES, rebuild_all
from ticketdesk.enums import Status
from ticketdesk.tickets.service import create_ticket


def snapshot(session: Session) -> dict[str, Any]:
    """Every aggregate row, with zero counters dropped (upkeep may leave them behind), and
    without the count of changes that wrote it (not derived: see `analytics.changes`)."""
    tables: dict[str, Any] = {}
    for model in TABLES:
        table = model.__table__
        rows = session.execute(select(table)).mappings().all()
        kept = [dict(row) for row in rows if row.get("tickets", 1) != 0]
        for row in kept:
            row.pop("changes", None)
            if "seconds" in row:
                row["seconds"] = round(row["seconds"], 3)
        key = [column.name for column in table.primary_key.columns]  # type: ignore[attr-defined]
        tables[table.name] = sorted(kept, key=lambda row: [str(row[name]) for name in key])
    return tables


def test_upkeep_equals_rebuild(session: Session, agent: Actor, requester: Actor) -> None:
    make_history(session, agent_id=agent.user_id, requester_id=requester.user_id, seed=5)
    kept = snapshot(session)
    assert kept["analytics_resolutions"] and kept["analytics_first_responses"]
    rebuild_all(session.connection())
    assert snapshot(session) == kept
    session.rollback()


def test_tickets_opened_already_done_are_counted_as_a_rebuild_counts_them(
    session: Session, agent: Actor
) -> None:
    # An open ticket's counters are bound before it is written; one logged resolved or
    # closed is counted as a change once it has its id (`aggregates.ticket_opening`).
    logger = session.get(User, agent.user_id)
    assert logger is not None
    at = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
    # Opened in another state than open, a ticket has two history entries.
    for status in (Status.OPEN, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        create_ticket(
            session, actor=logger, description="Sorted on the phone", status=status, now=at
        )
    kept = snapshot(session)
    assert len(kept["analytics_resolutions"]) == 2
    assert sum(row["tickets"] for row in kept["analytics_status_counts"]) == 4
    rebuild_all(session.connection())
    assert snapshot(session) == kept
    session.rollback()


def test_creates_and_changes_at_once_keep_the_counters(
    app: Flask, session: Session, agent: Actor
) -> None:
    """On PostgreSQL a create adds to its counter rows in one statement (`tickets.opening`)
    while a change of status takes from one row and adds to another: at once, from eight
    threads, none may wait on another in a cycle (a deadlock answered 503), and the counters
    end as a rebuild counts them."""
    opened = [agent.create_ticket(category="hardware")["id"] for _ in range(16)]
    headers = {"Authorization": f"Bearer {agent.token}"}

    def create(_n: int) -> int:
        body = {"description": "Same category, same day", "category": "hardware"}
        return app.test_client().post("/api/tickets", json=body, headers=headers).status_code

    def change(ticket_id: int) -> int:
        url = f"/api/tickets/{ticket_id}"
        body = {"status": "in_progress"}
        return app.test_client().patch(url, json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = pool.map(create, range(32))
        changed = pool.map(change, opened)
        statuses = [*created, *changed]
    assert statuses.count(201) == 32 and statuses.count(200) == 16, statuses
    kept = snapshot(session)
    rebuild_all(session.connection())
    assert snapshot(session) == kept
    session.rollback()
