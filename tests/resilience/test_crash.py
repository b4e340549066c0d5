"""Crash safety: kill -9 the server again and again while clients write through it.

Every write that got a 2xx must be in the database exactly once afterwards, and the
database must be consistent (each ticket with its first history entry, written in the same
transaction; SQLite's integrity and foreign-key checks clean). Writes that got no answer may
or may not have happened: the client was never told either way.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select, text

from tests.factories import make_user
from tests.resilience.server import ServeProcess
from ticketdesk import sqlite_search
from ticketdesk.db import Database, sqlite_file
from ticketdesk.tickets.models import Comment, Ticket, TicketChange

CRASHES = 10
WRITERS = 3


@dataclass
class Ledger:
    """What the clients were told was saved: ticket marker -> id, comment content -> id."""

    tickets: dict[str, int] = field(default_factory=dict)
    comments: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(base: str, token: str, name: str, ledger: Ledger, stop: threading.Event) -> None:
    """Open tickets and comment on them until told to stop; note every 201."""
    rng = random.Random(name)
    mine: list[int] = []
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    for n in range(100_000):
        if stop.is_set():
            break
        marker = f"{name}-{n}"
        try:
            if mine and rng.random() < 0.5:
                url = f"{base}/api/tickets/{rng.choice(mine)}/comments"
                response = http.post(url, json={"content": marker}, timeout=10)
                if response.status_code == 201:
                    with ledger.lock:
                        ledger.comments[marker] = response.json()["id"]
            else:
                response = http.post(
                    f"{base}/api/tickets", json={"description": marker}, timeout=10
                )
                if response.status_code == 201:
                    mine.append(response.json()["id"])
                    with ledger.lock:
                        ledger.tickets[marker] = response.json()["id"]
        except requests.RequestException:
            time.sleep(0.02)  # the server is down or restarting: no answer, no promise
    http.close()


@pytest.fixture
def server(
    database_url: str, database: Database, app: Flask, tmp_path: Path
) -> Iterator[ServeProcess]:
    process = ServeProcess(database_url, tmp_path, workers=2, threads=2)
    yield process
    process.stop()


@pytest.mark.slow
def test_acknowledged_writes_survive_repeated_kill_9(
    server: ServeProcess, database: Database, backend: str, database_url: str
) -> None:
    _user_id, _email, token = make_user(database, "agent")
    server.start()
    ledger = Ledger()
    stop = threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(server.base, token, f"w{i}", ledger, stop))
        for i in range(WRITERS)
    ]
    for thread in writers:
        thread.start()

    def acknowledged() -> int:
        return len(ledger.tickets) + len(ledger.comments)

    acknowledged_per_run = []
    try:
        for _ in range(CRASHES):
            before = acknowledged()
            # Kill only once writes are flowing again, at a random moment after that.
            deadline = time.monotonic() + 20
            while acknowledged() == before and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(random.uniform(0.1, 0.5))
            server.kill()
            acknowledged_per_run.append(acknowledged() - before)
            server.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
    server.stop()

    # Each run between two crashes had writes acknowledged, so the kills hit a busy server.
    assert all(count > 0 for count in acknowledged_per_run), acknowledged_per_run
    _assert_exactly_once(database, ledger)
    _assert_consistent(database, backend)
    database_path = sqlite_file(database_url)
    if database_path is not None:
        _assert_search_index_whole(database, database_path)


def _assert_exactly_once(database: Database, ledger: Ledger) -> None:
    with database.session() as session:
        stored_tickets = session.execute(
            select(Ticket.description, func.count(), func.min(Ticket.id)).group_by(
                Ticket.description
            )
        ).all()
        stored_comments = session.execute(
            select(Comment.content, func.count(), func.min(Comment.id)).group_by(Comment.content)
        ).all()
    tickets = {marker: (count, ticket_id) for marker, count, ticket_id in stored_tickets}
    comments = {content: (count, comment_id) for content, count, comment_id in stored_comments}
    assert all(count == 1 for count, _id in tickets.values()), "a ticket was stored twice"
    assert all(count == 1 for count, _id in comments.values()), "a comment was stored twice"
    lost = {m: i for m, i in ledger.tickets.items() if tickets.get(m) != (1, i)}
    assert not lost, f"acknowledged tickets missing or different: {lost}"
    lost = {c: i for c, i in ledger.comments.items() if comments.get(c) != (1, i)}
    assert not lost, f"acknowledged comments missing or different: {lost}"


def _assert_consistent(database: Database, backend: str) -> None:
    with database.session() as session:
        tickets = session.scalar(select(func.count(Ticket.id)))
        opened = session.scalar(
            select(func.count(TicketChange.id)).where(
                TicketChange.field == "status", TicketChange.old_value.is_(None)
            )
        )
        orphans = session.scalar(
            select(func.count(Comment.id)).where(~Comment.ticket_id.in_(select(Ticket.id)))
        )
        assert tickets == opened, "a ticket without its history entry, or the reverse"
        assert orphans == 0
        if backend == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert session.execute(text("PRAGMA foreign_key_check")).all() == []


def _assert_search_index_whole(database: Database, database_path: str) -> None:
    """The workers' indexers were killed too, maybe mid-batch: their file must be intact and,
    once caught up, hold every ticket and nothing else."""
    sqlite_search.catch_up(database_path)
    with database.session() as session:
        assert session.execute(text("PRAGMA search.integrity_check")).scalar_one() == "ok"
        indexed = session.execute(text("SELECT rowid FROM search.ticket_search")).scalars()
        assert sorted(indexed) == sorted(session.scalars(select(Ticket.id)))
