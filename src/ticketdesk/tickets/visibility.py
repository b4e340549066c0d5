"""Who may see what, as queries: every ticket lookup starts from `visible_tickets`."""

from __future__ import annotations

from sqlalchemy import Select, select

from ticketdesk.accounts.models import User
from ticketdesk.tickets.models import Comment, Ticket


def visible_tickets(user: User) -> Select[Ticket]:
    """Agents and admins see every ticket; requesters see the tickets they opened."""
    query = select(Ticket)
    if not user.is_agent:
        query = query.where(Ticket.requester_id == user.id)
    return query


def visible_comments(user: User, ticket_id: int) -> Select[Comment]:
    """A ticket's conversation as `user` may read it: requesters never see internal notes."""
    query = select(Comment).where(Comment.ticket_id == ticket_id)
    if not user.is_agent:
        query = query.where(Comment.internal.is_(False))
    return query
