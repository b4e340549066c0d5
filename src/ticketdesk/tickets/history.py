"""The ticket change log: written in the same transaction as the change it records."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ticketdesk.accounts.actor import Actor
from ticketdesk.tickets.models import Ticket, TicketChange


def as_text(value: Any) -> str | None:
    """How a field value is kept in the log: enum values, ISO times, plain text."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def record_change(
    session: Session,
    *,
    ticket: Ticket,
    actor: Actor | None,
    field: str,
    old: Any,
    new: Any,
    at: datetime,
) -> None:
    row = change_row(ticket_id=ticket.id, actor=actor, field=field, old=old, new=new, at=at)
    session.add(TicketChange(**row))


def change_row(
    *, ticket_id: int | None, actor: Actor | None, field: str, old: Any, new: Any, at: datetime
) -> dict[str, Any]:
    """One entry of the log as the values of its row (`ticket_id` None for a ticket still
    to be written)."""
    return {
        "ticket_id": ticket_id,
        "actor_id": actor.id if actor else None,
        "changed_at": at,
        "field": field,
        "old_value": as_text(old),
        "new_value": as_text(new),
    }


def list_changes(
    session: Session, *, ticket: Ticket, offset: int, limit: int
) -> tuple[list[TicketChange], int]:
    """One page of a ticket's history, oldest first, and how many entries it has."""
    where = TicketChange.ticket_id == ticket.id
    total = session.scalar(select(func.count()).select_from(TicketChange).where(where)) or 0
    page = session.scalars(
        select(TicketChange)
        .where(where)
        .options(selectinload(TicketChange.actor))
        .order_by(TicketChange.id)
        .offset(offset)
        .limit(limit)
    )
    return list(page), total
