"""The status workflow as data, and what each move does to a ticket's timestamps."""

from __future__ import annotations

from datetime import datetime

from ticketdesk.enums import Status
from ticketdesk.errors import InvalidTransition
from ticketdesk.tickets.models import Ticket

# open → in_progress ⇄ waiting → resolved → closed; close from anywhere; reopen when done.
ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.OPEN: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING, Status.RESOLVED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


# In workflow order; worked out once, since every ticket shown to an agent carries its list.
_NEXT_STATUSES = {
    current: tuple(status for status in Status if status in allowed)
    for current, allowed in ALLOWED_TRANSITIONS.items()
}


def next_statuses(current: Status) -> list[Status]:
    """The states a ticket may move to next, in workflow order."""
    return list(_NEXT_STATUSES[current])


def move(ticket: Ticket, target: Status, *, now: datetime) -> None:
    """Move `ticket` to `target`, keeping resolved_at and closed_at true to the workflow."""
    if target == ticket.status:
        return
    if target not in ALLOWED_TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            f"a ticket cannot move from '{ticket.status}' to '{target}'", field="status"
        )
    if target == Status.RESOLVED:
        ticket.resolved_at = now
    elif target == Status.CLOSED:
        ticket.closed_at = now
    elif ticket.status in (Status.RESOLVED, Status.CLOSED):
        # Reopening: the ticket is no longer done, so neither time stands.
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.status = target
