"""The conversation on a ticket: public replies and internal notes."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session, selectinload

from ticketdesk.accounts.actor import Actor
from ticketdesk.analytics import aggregates
from ticketdesk.db import utcnow
from ticketdesk.errors import NotAllowed, NotFound
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Comment
from ticketdesk.tickets.service import require_visible, visible_id
from ticketdesk.tickets.shown import person
from ticketdesk.tickets.visibility import viewer_params, visible_comments


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
    if internal and not actor.is_agent:
        require_visible(session, actor=actor, ticket_id=ticket_id)  # 404 before 403
        raise NotAllowed("only agents may add internal notes", field="internal")
    # One statement checks that the ticket is theirs to see, adds the comment and reads when
    # the ticket was first answered: on SQLite it runs inside the database's one write lock,
    # where each statement more cost every other writer a wait for this worker's GIL, and on
    # PostgreSQL it is one round trip instead of four. Its values are bound before the
    # transaction begins (as for a new ticket, see `service.create_ticket`).
    params = {**comment, **viewer_params(actor)}
    insert_comment = _insert_visible(agent=actor.is_agent).bind(session.get_bind().dialect, params)
    added = insert_comment.rows(session.connection())
    if not added:
        raise NotFound(f"ticket {ticket_id} not found")
    ((comment_id, responded_at),) = added
    if aggregates.may_answer_first(
        author=actor, internal=internal, created_at=created_at, responded_at=responded_at
    ):
        aggregates.comment_added(
            session,
            ticket_id=ticket_id,
            author=actor,
            internal=internal,
            created_at=created_at,
        )
    return {**comment, "id": comment_id, "author": person(actor)}


@cache
def _insert_visible(*, agent: bool) -> Precompiled:
    """The comment, added only if its ticket is visible (bound as `visible_id`), returning
    its id and when the ticket was first answered."""
    columns = ("ticket_id", "author_id", "content", "internal", "created_at")
    table = Comment.__table__
    values = select(*(bindparam(name, type_=table.c[name].type) for name in columns))
    return Precompiled(
        insert(table)  # type: ignore[arg-type]
        .from_select(columns, values.where(visible_id(agent=agent).exists()))
        .returning(table.c.id, aggregates.first_responded_at(bindparam("ticket_id")))
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
