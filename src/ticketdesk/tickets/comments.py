"""The conversation on a ticket: public replies and internal notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session, selectinload

from ticketdesk.accounts.models import User
from ticketdesk.analytics import aggregates
from ticketdesk.db import utcnow
from ticketdesk.errors import NotAllowed
from ticketdesk.tickets.models import Comment
from ticketdesk.tickets.service import get_ticket
from ticketdesk.tickets.visibility import visible_comments


def add_comment(
    session: Session,
    *,
    actor: User,
    ticket_id: int,
    content: str,
    internal: bool = False,
    now: datetime | None = None,
) -> Comment:
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id)
    if internal and not actor.is_agent:
        raise NotAllowed("only agents may add internal notes", field="internal")
    comment = Comment(
        ticket_id=ticket.id,
        author=actor,
        content=content,
        internal=internal,
        created_at=now or utcnow(),
    )
    session.add(comment)
    session.flush()
    aggregates.comment_added(
        session,
        ticket_id=ticket.id,
        author=actor,
        internal=internal,
        created_at=comment.created_at,
    )
    return comment


def list_comments(
    session: Session, *, actor: User, ticket_id: int, offset: int = 0, limit: int = 25
) -> tuple[list[Comment], int]:
    """One page of the conversation, oldest first, as `actor` may read it."""
    get_ticket(session, actor=actor, ticket_id=ticket_id)
    query = visible_comments(actor, ticket_id)
    total = session.scalar(query.with_only_columns(func.count(Comment.id))) or 0
    page = session.scalars(
        query.options(selectinload(Comment.author)).order_by(Comment.id).offset(offset).limit(limit)
    )
    return list(page), total
