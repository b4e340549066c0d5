"""Every mapped model, imported once so that `Base.metadata` is complete (Alembic reads it)."""

from ticketdesk.accounts.models import ApiToken, User
from ticketdesk.analytics.models import (
    FirstResponse,
    FirstResponseBucket,
    OpenedCount,
    Resolution,
    ResolutionBucket,
    ResolvedDay,
)
from ticketdesk.db import Base
from ticketdesk.tickets.models import Comment, Ticket, TicketChange

__all__ = [
    "ApiToken",
    "Base",
    "Comment",
    "FirstResponse",
    "FirstResponseBucket",
    "OpenedCount",
    "Resolution",
    "ResolutionBucket",
    "ResolvedDay",
    "Ticket",
    "TicketChange",
    "User",
]
