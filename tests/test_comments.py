"""Adding comments: who may, and how a reply becomes its ticket's first response."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Actor
from ticketdesk.accounts.actor import Caller
from ticketdesk.accounts.models import User
from ticketdesk.analytics.buckets import bucket_of
from ticketdesk.analytics.models import FirstResponse, FirstResponseBucket
from ticketdesk.db import Database
from ticketdesk.errors import NotAllowed, NotFound
from ticketdesk.tickets.comments import add_comment
from ticketdesk.tickets.models import Comment, Ticket
from ticketdesk.tickets.service import update_ticket


def _author(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id)
    assert user is not None
    return user


def _comments(session: Session, ticket_id: int) -> int:
    return session.scalar(select(func.count()).where(Comment.ticket_id == ticket_id)) or 0


def test_a_requester_comments_only_on_their_own_tickets_and_never_internally(
    session: Session, requester: Actor, other_requester: Actor
) -> None:
    theirs = other_requester.create_ticket()["id"]
    own = requester.create_ticket()["id"]
    author = _author(session, requester)
    with pytest.raises(NotFound):
        add_comment(session, actor=author, ticket_id=theirs, content="let me in")
    session.rollback()
    # Not found before not allowed: a note on someone else's ticket says nothing of it.
    with pytest.raises(NotFound):
        add_comment(session, actor=author, ticket_id=theirs, content="psst", internal=True)
    session.rollback()
    with pytest.raises(NotAllowed):
        add_comment(session, actor=author, ticket_id=own, content="psst", internal=True)
    session.rollback()
    with pytest.raises(NotFound):
        add_comment(session, actor=author, ticket_id=own + 1000, content="anyone?")
    session.rollback()
    assert _comments(session, theirs) == _comments(session, own) == 0
    add_comment(session, actor=author, ticket_id=own, content="any news?")
    session.commit()
    assert _comments(session, own) == 1


def test_the_earliest_public_agent_reply_is_the_first_response(
    session: Session, agent: Actor, requester: Actor
) -> None:
    """Replies may arrive out of order (an import, another server's clock): a reply earlier
    than the ticket's first response takes its place, and its bucket's count moves."""
    ticket = requester.create_ticket()
    ticket_id = ticket["id"]
    opened_at = datetime.fromisoformat(ticket["opened_at"])
    author = _author(session, agent)

    def reply(after: timedelta, *, internal: bool = False) -> None:
        add_comment(
            session,
            actor=author,
            ticket_id=ticket_id,
            content="a reply",
            internal=internal,
            now=opened_at + after,
        )
        session.commit()

    def first_response() -> tuple[datetime, int] | None:
        row = session.execute(
            select(FirstResponse.responded_at, FirstResponse.bucket).where(
                FirstResponse.ticket_id == ticket_id
            )
        ).one_or_none()
        return None if row is None else (row.responded_at.astimezone(UTC), row.bucket)

    def buckets() -> dict[int, int]:
        rows = session.execute(select(FirstResponseBucket.bucket, FirstResponseBucket.tickets))
        return {bucket: tickets for bucket, tickets in rows if tickets}

    reply(timedelta(minutes=1), internal=True)  # a note answers no one
    assert first_response() is None
    reply(timedelta(hours=5))
    late = bucket_of(timedelta(hours=5).total_seconds())
    assert first_response() == (opened_at + timedelta(hours=5), late)
    assert buckets() == {late: 1}
    reply(timedelta(hours=9))  # later: changes nothing
    assert first_response() == (opened_at + timedelta(hours=5), late)
    reply(timedelta(minutes=2))  # earlier: takes its place
    early = bucket_of(timedelta(minutes=2).total_seconds())
    assert first_response() == (opened_at + timedelta(minutes=2), early)
    assert buckets() == {early: 1}
    assert _comments(session, ticket_id) == 4


def test_replies_and_recategorizing_racing_leave_one_first_response_a_ticket(
    database: Database, agent: Actor, requester: Actor
) -> None:
    """Eight replies at once on each ticket, their times shuffled, while two more writers
    change its category: each reply's statement may find no first response yet, and
    `comment_added` decides under the ticket's lock which reply is first; a category change
    moves the first response's count with it. On PostgreSQL two first replies used to
    deadlock here (each held the key share of its INSERT and asked for FOR UPDATE)."""
    tickets = [requester.create_ticket(category="billing") for _ in range(3)]
    opened = {t["id"]: datetime.fromisoformat(t["opened_at"]) for t in tickets}
    writers: list[int | str] = [*range(1, 9), "network", "hardware"]
    random.Random(7).shuffle(writers)
    start = threading.Barrier(len(writers))
    with database.session() as session:
        author = Caller.of(_author(session, agent))

    def write(ticket_id: int, what: int | str) -> None:
        start.wait(timeout=10)
        with database.session(write=True) as session:
            if isinstance(what, str):
                update_ticket(
                    session, actor=author, ticket_id=ticket_id, changes={"category": what}
                )
            else:
                add_comment(
                    session,
                    actor=author,
                    ticket_id=ticket_id,
                    content=f"after {what} minutes",
                    now=opened[ticket_id] + timedelta(minutes=what),
                )
            session.commit()

    for ticket_id in opened:
        with ThreadPoolExecutor(max_workers=len(writers)) as pool:
            list(pool.map(write, [ticket_id] * len(writers), writers))
    with database.session() as session:
        firsts = session.execute(
            select(FirstResponse.ticket_id, FirstResponse.responded_at, FirstResponse.category)
        ).all()
        tickets_now = session.execute(select(Ticket.id, Ticket.category))
        categories = {row.id: row.category for row in tickets_now}
        counted = session.execute(
            select(FirstResponseBucket.category, func.sum(FirstResponseBucket.tickets)).group_by(
                FirstResponseBucket.category
            )
        ).all()
    assert {ticket_id: (at.astimezone(UTC), category) for ticket_id, at, category in firsts} == {
        ticket_id: (at + timedelta(minutes=1), categories[ticket_id])
        for ticket_id, at in opened.items()
    }
    expected = Counter(categories[ticket_id] for ticket_id in opened)
    assert {category: n for category, n in counted if n} == dict(expected)
