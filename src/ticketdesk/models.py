"""Every mapped model, imported once so that `Base.metadata` is complete (Alembic reads it)."""

from ticketdesk.accounts.models import ApiToken, User
from ticketdesk.analytics.models import (
    FirstResponse,
    FirstResponseBucket,
    FirstResponseMonth,
    OpenedCount,
    OpenedMonth,
    Resolution,
    ResolutionBucket,
    ResolutionTotal,
    ResolvedDay,
    ResolvedMonth,
    StatusCount,
)
from ticketdesk.db import Base
from ticketdesk.tickets.models import Comment, Ticket, TicketChange

__all__ = [
    "ApiToken",
    "Base",
    "Comment",
    "FirstResponse",
    "FirstResponseBucket",
    "FirstResponseMonth",
    "OpenedCount",
    "OpenedMonth",
    "Resolution",
    "ResolutionBucket",
    "ResolutionTotal",
    "ResolvedDay",
    "ResolvedMonth",
    "StatusCount",
    "Ticket",
    "TicketChange",
    "User",
]
