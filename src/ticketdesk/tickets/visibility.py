"""Who may see what, as queries: every ticket lookup starts from `visible_tickets`."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select

from ticketdesk.accounts.actor import Actor
from ticketdesk.tickets.models import Comment, Ticket

VIEWER = "viewer_id"


@cache
def visible_tickets_for(*, agent: bool) -> Select[Ticket]:
    """Agents and admins see every ticket; requesters see the tickets they opened.

    Built once per role and bound at execution with `viewer_params(user)`: hot paths reuse
    the statement, since building and keying a statement costs more than running it.
    """
    query = select(Ticket)
    if not agent:
        query = query.where(Ticket.requester_id == bindparam(VIEWER))
    return query


def viewer_params(user: Actor) -> dict[str, Any]:
    return {} if user.is_agent else {VIEWER: user.id}


def visible_tickets(user: Actor) -> Select[Ticket]:
    """The tickets `user` may see, with the viewer bound: a starting point to narrow."""
    return visible_tickets_for(agent=user.is_agent).params(viewer_params(user))


def visible_comments(user: Actor, ticket_id: int) -> Select[Comment]:
    """A ticket's conversation as `user` may read it: requesters never see internal notes."""
    query = select(Comment).where(Comment.ticket_id == ticket_id)
    if not user.is_agent:
        query = query.where(Comment.internal.is_(False))
    return query
