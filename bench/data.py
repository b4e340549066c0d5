"""Bulk benchmark data: a help desk with years of history, loaded in batches through
SQLAlchemy Core (the services would take hours for a million tickets).

The shape follows a real desk: most tickets are long closed, the active queue is a few
percent; a few thousand requesters, a few dozen agents, a dozen categories, one status
history entry per status change and about one comment per ticket.

    DATABASE_URL=... python -m bench.data --tickets 10000
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from ticketdesk import migrate, sqlite_search
from ticketdesk.accounts.models import ApiToken, User
from ticketdesk.accounts.service import create_token
from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.db import Database, create_db_engine, open_database, sqlite_file
from ticketdesk.enums import Priority, Role, Status
from ticketdesk.tickets import search
from ticketdesk.tickets.models import Comment, Ticket, TicketChange

CATEGORIES = [
    "billing",
    "login",
    "bug",
    "feature request",
    "account",
    "hardware",
    "network",
    "email",
    "printing",
    "vpn",
    "onboarding",
    "security",
]
WORDS = [
    "printer",
    "vpn",
    "password",
    "invoice",
    "refund",
    "laptop",
    "screen",
    "email",
    "calendar",
    "export",
    "report",
    "sync",
    "crash",
    "slow",
    "error",
    "timeout",
    "upload",
    "download",
    "license",
    "seat",
    "keyboard",
    "monitor",
    "dock",
    "wifi",
    "certificate",
    "phone",
    "backup",
    "restore",
    "permission",
    "folder",
    "share",
]
# Most of a desk's history is closed; the active queue is small.
STATUSES = [Status.CLOSED, Status.RESOLVED, Status.OPEN, Status.IN_PROGRESS, Status.WAITING]
STATUS_WEIGHTS = [85, 5, 4, 4, 2]
PRIORITY_WEIGHTS = [2, 6, 3, 1]
BATCH = 5_000
HISTORY_DAYS = 730


@dataclass
class Credentials:
    """Raw API tokens the benchmark signs its requests with."""

    agent: str
    requester: str
    requester_id: int


def _people(engine: Engine, agents: int, requesters: int) -> tuple[list[int], list[int]]:
    now = datetime.now(UTC)
    rows = [
        {
            "email": f"agent{n}@bench.example.com",
            "name": f"Agent {n}",
            "role": Role.ADMIN if n == 0 else Role.AGENT,
            "password_hash": None,
            "is_active": True,
            "created_at": now,
        }
        for n in range(agents)
    ] + [
        {
            "email": f"customer{n}@bench.example.com",
            "name": f"Customer {n}",
            "role": Role.REQUESTER,
            "password_hash": None,
            "is_active": True,
            "created_at": now,
        }
        for n in range(requesters)
    ]
    with engine.begin() as connection:
        connection.execute(insert(User), rows)
        people = connection.execute(select(User.id, User.role).order_by(User.id)).all()
    agent_ids = [user_id for user_id, role in people if role != Role.REQUESTER]
    return agent_ids, [user_id for user_id, role in people if role == Role.REQUESTER]


def ticket_text(rng: random.Random, n: int) -> tuple[str, str]:
    """Ticket `n`'s title and description: four of `WORDS`, so that each word is in about
    one ticket in eight. The benchmark's creates word their tickets the same way: with one
    word each, they made the words rarer among a kept desk's newest tickets with each run,
    and searches slower (bench/RESULTS.md, session 22)."""
    words = rng.sample(WORDS, 4)
    title = f"{words[0].capitalize()} {words[1]} {words[2]} #{n}"
    description = (
        f"Since yesterday the {words[0]} shows a {words[3]} problem. "
        f"Steps: open {words[1]}, then {words[2]}. Ticket {n}."
    )
    return title, description


def _ticket(
    rng: random.Random, n: int, now: datetime, agents: list[int], requesters: list[int]
) -> dict[str, Any]:
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    opened = now - timedelta(days=HISTORY_DAYS * rng.random() ** 1.3, seconds=n % 60)
    done = status in (Status.RESOLVED, Status.CLOSED)
    resolved = opened + timedelta(hours=rng.lognormvariate(3, 1)) if done else None
    if resolved is not None and resolved > now:
        resolved = now
    closed = resolved + timedelta(days=3) if status == Status.CLOSED and resolved else None
    if closed is not None and closed > now:
        closed = now
    title, description = ticket_text(rng, n)
    return {
        "title": title,
        "description": description,
        "status": status,
        "category": rng.choice(CATEGORIES),
        "priority": rng.choices(list(Priority), PRIORITY_WEIGHTS)[0],
        "requester_id": rng.choice(requesters),
        "assignee_id": None if status == Status.OPEN else rng.choice(agents),
        "opened_at": opened,
        "updated_at": closed or resolved or opened,
        "resolved_at": resolved,
        "closed_at": closed,
        "version": 1,
    }


def _history(ticket_id: int, row: dict[str, Any], agent: int) -> Iterator[dict[str, Any]]:
    yield {
        "ticket_id": ticket_id,
        "actor_id": row["requester_id"],
        "changed_at": row["opened_at"],
        "field": "status",
        "old_value": None,
        "new_value": "open",
    }
    previous = "open"
    for status, at in (
        ("in_progress", row["opened_at"] + timedelta(minutes=30)),
        ("resolved", row["resolved_at"]),
        ("closed", row["closed_at"]),
    ):
        if at is None or (status == "in_progress" and row["status"] == Status.OPEN):
            continue
        yield {
            "ticket_id": ticket_id,
            "actor_id": agent,
            "changed_at": min(at, row["updated_at"]),
            "field": "status",
            "old_value": previous,
            "new_value": status,
        }
        previous = status


def _tickets(
    engine: Engine, count: int, agents: list[int], requesters: list[int], seed: int
) -> None:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with engine.connect() as connection:
        first_id = (connection.scalar(select(func.max(Ticket.id))) or 0) + 1
    for start in range(0, count, BATCH):
        rows = [
            _ticket(rng, start + n, now, agents, requesters)
            for n in range(min(BATCH, count - start))
        ]
        ids = range(first_id + start, first_id + start + len(rows))
        for ticket_id, row in zip(ids, rows, strict=True):
            row["id"] = ticket_id
        changes = [
            change
            for ticket_id, row in zip(ids, rows, strict=True)
            for change in _history(ticket_id, row, row["assignee_id"] or agents[0])
        ]
        comments = [
            {
                "ticket_id": ticket_id,
                "author_id": row["assignee_id"] or row["requester_id"],
                "content": f"Looking into the {row['category']} problem now.",
                "internal": rng.random() < 0.2,
                "created_at": row["updated_at"],
            }
            for ticket_id, row in zip(ids, rows, strict=True)
            if rng.random() < 0.9
        ]
        with engine.begin() as connection, search.bulk_load(connection, rows=len(rows)):
            connection.execute(insert(Ticket), rows)
            connection.execute(insert(TicketChange), changes)
            if comments:
                connection.execute(insert(Comment), comments)
        print(f"  {start + len(rows):>9,} tickets", end="\r", flush=True)
    print()


def _tokens(database: Database, agent_id: int, requester_id: int) -> Credentials:
    with database.session(write=True) as session, session.begin():
        _token, agent_token = create_token(session, user_id=agent_id, label="bench")
        _token, requester_token = create_token(session, user_id=requester_id, label="bench")
    return Credentials(agent=agent_token, requester=requester_token, requester_id=requester_id)


def load(database_url: str, *, tickets: int, seed: int = 5) -> Credentials:
    """Migrate `database_url` and fill it; returns tokens for an agent and a requester."""
    migrate.upgrade(database_url)
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            if connection.scalar(select(func.count(ApiToken.id))):
                raise SystemExit("the database is not empty; give the benchmark its own")
        agents, requesters = _people(engine, agents=40, requesters=max(50, tickets // 200))
        _tickets(engine, tickets, agents, requesters, seed)
        with engine.begin() as connection:
            # The loader wrote tickets behind the services: fill the analytics aggregates
            # the services would have kept up to date.
            rebuild_all(connection)
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:  # ticket ids were given, not drawn
                connection.exec_driver_sql(
                    "SELECT setval(pg_get_serial_sequence('tickets', 'id'), max(id)) FROM tickets"
                )
            # What autovacuum would have done on a server that grew to this size.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        elif (path := sqlite_file(database_url)) is not None:
            # What the servers' indexers would otherwise do in their first minute.
            sqlite_search.catch_up(path, busy_timeout_s=15)
    finally:
        engine.dispose()
    database = open_database(database_url)
    try:
        return _tokens(database, agents[1], requesters[0])
    finally:
        database.dispose()


def main() -> None:
    from ticketdesk.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    credentials = load(Settings().database_url, tickets=args.tickets)
    print(f"agent token: {credentials.agent}\nrequester token: {credentials.requester}")


if __name__ == "__main__":
    main()
