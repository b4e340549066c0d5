"""Seed 001's ticket_counts: tickets opened in the current period that are still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import Actor
from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.analytics.service import ticket_counts
from ticketdesk.enums import Status
from ticketdesk.tickets.models import Ticket


def test_period_starts_are_calendar_periods_in_utc() -> None:
    now = datetime(2026, 8, 20, 15, 30, tzinfo=UTC)  # a Thursday
    assert period_start(Period.DAY, now) == datetime(2026, 8, 20, tzinfo=UTC)
    assert period_start(Period.WEEK, now) == datetime(2026, 8, 17, tzinfo=UTC)
    assert period_start(Period.MONTH, now) == datetime(2026, 8, 1, tzinfo=UTC)
    assert period_start(Period.QUARTER, now) == datetime(2026, 7, 1, tzinfo=UTC)
    assert period_start(Period.YEAR, now) == datetime(2026, 1, 1, tzinfo=UTC)


def test_ticket_counts_over_the_api(agent: Actor, session: Session) -> None:
    ids = [agent.create_ticket()["id"] for _ in range(3)]
    agent.patch(f"/api/tickets/{ids[0]}", json={"status": "closed"})
    old = session.get(Ticket, ids[1])
    assert old is not None
    old.opened_at = datetime.now(UTC) - timedelta(days=800)
    session.flush()
    # Edited behind the services' back, so the aggregates are recomputed (as an operator
    # would with `ticketdesk analytics rebuild`).
    rebuild_all(session.connection())
    session.commit()
    response = agent.get("/api/analytics/ticket_counts?period=year")
    assert response.status_code == 200
    assert response.get_json() == 1
    assert agent.get("/api/analytics/ticket_counts?period=day").get_json() == 1
    bad = agent.get("/api/analytics/ticket_counts?period=fortnight")
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "period"


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.WAITING])
def test_active_statuses_count_as_still_open(
    agent: Actor, session: Session, status: Status
) -> None:
    ticket = agent.create_ticket()
    agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "in_progress"})
    if status == Status.WAITING:
        agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "waiting"})
    assert ticket_counts(session, period=Period.MONTH) == 1
