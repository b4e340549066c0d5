"""Believable ticket history made through the real services, and the truth about it computed
independently with pandas over every row (what the aggregates must agree with)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ticketdesk.accounts.models import User
from ticketdesk.enums import Status
from ticketdesk.tickets.comments import add_comment
from ticketdesk.tickets.models import Comment, Ticket
from ticketdesk.tickets.service import create_ticket, update_ticket

START = datetime(2025, 1, 1, tzinfo=UTC)
CATEGORIES = ["billing", "login", "bug", "hardware"]
# Every ticket of this one ends resolved or closed: a category with no open tickets.
QUIET = "quiet"
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
PATHS = [
    "open",
    "in_progress",
    "waiting",
    "resolve",
    "resolve_close",
    "close_unresolved",
    "reopen",
    "reopen_resolve",
    "close_reopen_close",
    "recategorize",
]
DONE_PATHS = [
    "resolve",
    "resolve_close",
    "close_unresolved",
    "reopen_resolve",
    "close_reopen_close",
]


def make_history(
    session: Session, *, agent_id: int, requester_id: int, tickets: int = 120, seed: int = 1
) -> datetime:
    """Open and work `tickets` tickets over about four months; returns the last moment."""
    rng = random.Random(seed)
    agent = session.get_one(User, agent_id)
    requester = session.get_one(User, requester_id)
    last = START
    for number in range(tickets):
        opened = START + timedelta(hours=rng.uniform(0, 24 * 120))
        category = QUIET if number % 7 == 0 else rng.choice(CATEGORIES)
        path = rng.choice(DONE_PATHS) if category == QUIET else rng.choice(PATHS)
        last = max(last, _work(session, rng, agent, requester, opened, category, path))
        session.flush()
    session.commit()
    return last


def _at(rng: random.Random, moment: datetime) -> datetime:
    """The same instant expressed in some time zone, as callers may pass it."""
    return moment.astimezone(rng.choice(ZONES))


def _work(
    session: Session,
    rng: random.Random,
    agent: User,
    requester: User,
    opened: datetime,
    category: str,
    path: str,
) -> datetime:
    ticket = create_ticket(
        session,
        actor=requester,
        description="Something broke",
        category=category,
        now=_at(rng, opened),
    )
    clock = opened

    def later(max_hours: float = 72.0) -> datetime:
        nonlocal clock
        clock = clock + timedelta(hours=rng.lognormvariate(1.5, 1.2) % max_hours + 0.01)
        return _at(rng, clock)

    def move(status: Status) -> None:
        update_ticket(
            session, actor=agent, ticket_id=ticket["id"], changes={"status": status}, now=later()
        )

    _comment(session, rng, ticket["id"], requester, agent, later)
    steps = {
        "open": [],
        "in_progress": [Status.IN_PROGRESS],
        "waiting": [Status.IN_PROGRESS, Status.WAITING],
        "resolve": [Status.IN_PROGRESS, Status.RESOLVED],
        "resolve_close": [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
        "close_unresolved": [Status.CLOSED],
        "reopen": [Status.IN_PROGRESS, Status.RESOLVED, Status.OPEN],
        "reopen_resolve": [
            Status.IN_PROGRESS,
            Status.RESOLVED,
            Status.OPEN,
            Status.IN_PROGRESS,
            Status.RESOLVED,
        ],
        "close_reopen_close": [Status.CLOSED, Status.OPEN, Status.CLOSED],
        "recategorize": [Status.IN_PROGRESS, Status.RESOLVED],
    }[path]
    for status in steps:
        move(status)
    if path == "recategorize":
        update_ticket(
            session,
            actor=agent,
            ticket_id=ticket["id"],
            changes={"category": rng.choice(CATEGORIES)},
            now=later(),
        )
    return clock


def _comment(
    session: Session,
    rng: random.Random,
    ticket_id: int,
    requester: User,
    agent: User,
    later: Callable[[], datetime],
) -> None:
    """A mix of what must not count as a first response, and replies that must."""
    kinds = rng.sample(["requester", "internal", "reply", "reply"], k=rng.randint(0, 4))
    for kind in kinds:
        author = requester if kind == "requester" else agent
        add_comment(
            session,
            actor=author,
            ticket_id=ticket_id,
            content=f"a {kind}",
            internal=kind == "internal",
            now=later(),
        )


# --- the truth, from every row --------------------------------------------------------------


def tickets_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(
            Ticket.id,
            Ticket.category,
            Ticket.status,
            Ticket.opened_at,
            Ticket.resolved_at,
            Ticket.closed_at,
        )
    ).all()
    frame = pd.DataFrame(
        [
            {
                "id": row.id,
                "category": row.category,
                "status": str(row.status),
                "opened_at": row.opened_at,
                "resolved_at": row.resolved_at,
                "closed_at": row.closed_at,
            }
            for row in rows
        ]
    )
    for column in ("opened_at", "resolved_at", "closed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    done = frame["status"].isin(["resolved", "closed"])
    frame["done_at"] = frame["resolved_at"].fillna(frame["closed_at"]).where(done)
    frame["hours"] = (frame["done_at"] - frame["opened_at"]).dt.total_seconds() / 3600
    return frame


def first_responses_frame(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Comment.ticket_id, Comment.created_at, Ticket.opened_at, Ticket.category)
        .join(User, User.id == Comment.author_id)
        .join(Ticket, Ticket.id == Comment.ticket_id)
        .where(Comment.internal.is_(False), User.role.in_(["agent", "admin"]))
    ).all()
    frame = pd.DataFrame(rows, columns=["ticket_id", "created_at", "opened_at", "category"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    frame["opened_at"] = pd.to_datetime(frame["opened_at"], utc=True)
    first = frame.sort_values("created_at").groupby("ticket_id").first().reset_index()
    first["hours"] = (first["created_at"] - first["opened_at"]).dt.total_seconds() / 3600
    return first


def nearest_rank(values: pd.Series, numerator: int, denominator: int) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * numerator // denominator))
    return float(ordered[rank - 1])
