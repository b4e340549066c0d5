"""Import tickets from a CSV file in one transaction: all of them, or none when any row is bad.

Imported tickets keep their historic times; each gets one history entry saying where it
came from. Requesters are found by email or created (as requesters without a password).
The aggregates are rebuilt set-based afterwards, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import cast, func, select, text
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.orm import Session

from ticketdesk.accounts.actor import Actor
from ticketdesk.accounts.models import User
from ticketdesk.analytics.rebuild import TABLES, rebuild_all
from ticketdesk.db import utcnow
from ticketdesk.enums import Role
from ticketdesk.imports import csvfile
from ticketdesk.imports.bulk import bulk_insert, large_cache
from ticketdesk.tickets import search
from ticketdesk.tickets.models import Ticket, TicketChange

LOOKUP_CHUNK = 1_000
ANALYZED = (Ticket.__tablename__, TicketChange.__tablename__, User.__tablename__)


@dataclass(frozen=True)
class ImportResult:
    tickets: int
    requesters_created: int
    first_ticket_id: int | None
    last_ticket_id: int | None


def import_tickets(
    session: Session,
    *,
    data: bytes,
    source: str,
    actor: Actor | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check `data` (CSV bytes) whole, then store every row; raises csvfile.ImportRejected.

    `progress(stored, total)` is called as tickets are stored, with how many were stored
    since its last call and how many there are in all.
    """
    # Oldest first, so that ticket ids follow history (and indexes fill in order).
    frame = csvfile.read(data).sort_values(["opened_at", "line"], ignore_index=True)
    if frame.empty:
        return ImportResult(0, 0, None, None)
    now = now or utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # A million rows take longer than the per-statement limit requests run under.
        session.execute(text("SET LOCAL statement_timeout = 0"))
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))
    with large_cache(session), search.bulk_load(session.connection(), rows=len(frame)):
        requester_ids, created = _requesters(session, frame["requester_email"], now=now)
        ids = _reserve_ids(session, len(frame))
        total = len(frame)
        bulk_insert(
            session,
            Ticket.__table__,  # type: ignore[arg-type]
            _ticket_rows(frame, ids, requester_ids),
            progress=(lambda stored: progress(stored, total)) if progress else None,
        )
        bulk_insert(
            session,
            TicketChange.__table__,  # type: ignore[arg-type]
            _history_rows(frame, ids, actor=actor, source=source, now=now),
        )
        rebuild_all(session.connection())
    _analyze(session)
    return ImportResult(total, created, int(ids.min()), int(ids.max()))


def _analyze(session: Session) -> None:
    """Fresh planner statistics (PostgreSQL), or the planner may scan where an index would do
    until autovacuum gets round to the grown tables."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in (*ANALYZED, *(model.__tablename__ for model in TABLES)):
        session.execute(text(f"ANALYZE {name}"))


def _ticket_rows(frame: pd.DataFrame, ids: pd.Series, requester_ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ids,
            "title": frame["title"],
            "description": frame["description"],
            "status": frame["status"],
            "category": frame["category"],
            "priority": frame["priority"],
            "requester_id": requester_ids,
            "opened_at": frame["opened_at"],
            "updated_at": frame[["opened_at", "resolved_at", "closed_at"]].max(axis=1),
            "resolved_at": frame["resolved_at"],
            "closed_at": frame["closed_at"],
            "version": 1,
        }
    )


def _history_rows(
    frame: pd.DataFrame, ids: pd.Series, *, actor: Actor | None, source: str, now: datetime
) -> pd.DataFrame:
    """One entry per ticket: who imported it, when, its status and where it came from."""
    return pd.DataFrame(
        {
            "ticket_id": ids,
            "actor_id": actor.id if actor else None,
            "changed_at": pd.Series(now, index=frame.index).astype("datetime64[us, UTC]"),
            "field": "imported",
            "old_value": None,
            "new_value": _origin(frame, source),
        }
    )


def _origin(frame: pd.DataFrame, source: str) -> list[str]:
    """What the history entry says: the status brought in, and where from."""
    lines = zip(frame["status"].tolist(), frame["line"].tolist(), strict=True)
    return [f"{status} (from {source[:100]}, line {line})" for status, line in lines]


def _requesters(session: Session, emails: pd.Series, *, now: datetime) -> tuple[pd.Series, int]:
    """Each row's requester id (the user with that email), creating requesters for the
    emails not known yet; and how many were created."""
    codes, distinct = pd.factorize(emails)  # each email hashed once, for all that follows
    wanted = sorted(distinct)
    known = _user_ids(session, wanted)
    missing = [email for email in wanted if email not in known]
    if missing:
        newest = session.scalar(select(func.max(User.id))) or 0
        users = pd.DataFrame(
            {
                "email": missing,
                "name": [email.split("@", 1)[0][:200] for email in missing],
                "role": Role.REQUESTER.value,
                "password_hash": None,
                "is_active": True,
                "created_at": pd.Series(now, index=range(len(missing))).astype(
                    "datetime64[us, UTC]"
                ),
            }
        )
        bulk_insert(session, User.__table__, users)  # type: ignore[arg-type]
        # The new users are the ones after `newest`: one range read by primary key, where
        # looking them up by email would meet a table the planner has no statistics for yet.
        created = session.execute(select(User.email, User.id).where(User.id > newest))
        wanted_new = set(missing)
        known.update((email, user_id) for email, user_id in created if email in wanted_new)
    user_ids = np.array([known[email] for email in distinct], dtype="int64")
    return pd.Series(user_ids[codes], index=emails.index), len(missing)


def _user_ids(session: Session, emails: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(emails), LOOKUP_CHUNK):
        chunk = emails[start : start + LOOKUP_CHUNK]
        rows = session.execute(select(User.email, User.id).where(User.email.in_(chunk)))
        found.update((email, user_id) for email, user_id in rows)
    return found


def _reserve_ids(session: Session, count: int) -> pd.Series:
    """Ids for `count` new tickets that no concurrent insert can take."""
    if session.get_bind().dialect.name == "postgresql":
        # Looked up once: inside the statement below it would be looked up for every row.
        name = session.scalar(select(func.pg_get_serial_sequence(Ticket.__tablename__, "id")))
        sequence = cast(name, REGCLASS)
        drawn = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        # Drawn in one statement they are one unbroken run, told by its first and last,
        # unless another session drew at the same moment: then they are fetched one by one.
        taken = drawn.subquery()
        first, last = session.execute(select(func.min(taken.c[0]), func.max(taken.c[0]))).one()
        if last - first + 1 == count:
            return pd.Series(np.arange(first, last + 1), dtype="int64")
        return pd.Series(list(session.scalars(drawn)), dtype="int64")
    # SQLite: the session holds the write lock (BEGIN IMMEDIATE), so max(id) stays the max.
    start = (session.scalar(select(func.max(Ticket.id))) or 0) + 1
    return pd.Series(range(start, start + count), dtype="int64")
