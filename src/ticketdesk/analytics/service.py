"""Analytics computed where the data is: SQL aggregates, never every ticket in Python."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ticketdesk.analytics.periods import Period, period_start
from ticketdesk.db import utcnow
from ticketdesk.enums import ACTIVE_STATUSES
from ticketdesk.tickets.models import Ticket


def ticket_counts(session: Session, *, period: Period, now: datetime | None = None) -> int:
    """Tickets opened in the current calendar period (UTC) that are still open (seed 001)."""
    start = period_start(period, now or utcnow())
    count = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.opened_at >= start, Ticket.status.in_(ACTIVE_STATUSES)
        )
    )
    return count or 0
