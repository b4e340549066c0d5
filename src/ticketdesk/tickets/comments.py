"""The conversation on a ticket: public replies and internal notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.orm import Session, selectinload

from ticketdesk.accounts.actor import Actor
from ticketdesk.analytics import aggregates
from ticketdesk.db import utcnow
from ticketdesk.errors import NotAllowed
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Comment
from ticketdesk.tickets.service import require_visible
from ticketdesk.tickets.shown import person
from ticketdesk.tickets.visibility import visible_comments


def add_comment(
    session: Session,
    *,
    actor: Actor,
    ticket_id: int,
    content: str,
    internal: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Reply on a ticket `actor` may see, or (agents) add an internal note; the comment as
    shown (the shape of `CommentOut`)."""
    created_at = now or utcnow()
    comment = {
        "ticket_id": ticket_id,
        "author_id": actor.id,
        "content": content,
        "internal": internal,
        "created_at": created_at,
    }
    # A precompiled Core statement, as for a new ticket (see `service.create_ticket`): the
    # unit of work cost more than the rest of the write. Bound before the transaction
    # begins, which on SQLite takes the database's one write lock.
    insert_comment = _INSERT_COMMENT.bind(session.get_bind().dialect, comment)
    require_visible(session, actor=actor, ticket_id=ticket_id)
    if internal and not actor.is_agent:
        raise NotAllowed("only agents may add internal notes", field="internal")
    (comment_id,) = insert_comment.rows(session.connection())[0]
    aggregates.comment_added(
        session,
        ticket_id=ticket_id,
        author=actor,
        internal=internal,
        created_at=created_at,
    )
    return {**comment, "id": comment_id, "author": person(actor)}


_INSERT_COMMENT = Precompiled(
    insert(Comment.__table__).returning(Comment.__table__.c.id)  # type: ignore[arg-type]
)


def list_comments(
    session: Session, *, actor: Actor, ticket_id: int, offset: int = 0, limit: int = 25
) -> tuple[list[Comment], int]:
    """One page of the conversation, oldest first, as `actor` may read it."""
    require_visible(session, actor=actor, ticket_id=ticket_id)
    query = visible_comments(actor, ticket_id)
    total = session.scalar(query.with_only_columns(func.count(Comment.id))) or 0
    page = session.scalars(
        query.options(selectinload(Comment.author)).order_by(Comment.id).offset(offset).limit(limit)
    )
    return list(page), total
