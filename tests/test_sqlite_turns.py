"""SQLite writers take turns (`ticketdesk.sqlite_turns`): every write lands, a turn always
ends with its transaction, and a writer kept waiting past the busy timeout gets a clear error."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.factories import Actor
from ticketdesk.db import Database, open_database, sqlite_file
from ticketdesk.sqlite_turns import lock_file


def _database(path: Path, busy_timeout_ms: int = 15_000) -> Database:
    return open_database(f"sqlite:///{path}", busy_timeout_ms=busy_timeout_ms)


@pytest.fixture
def marks_database(marks_file: Path) -> Iterator[Database]:
    database = _database(marks_file)
    yield database
    database.dispose()


def _mark(database: Database, who: str) -> None:
    with database.session(write=True) as session:
        session.execute(text("INSERT INTO marks (who) VALUES (:who)"), {"who": who})
        session.commit()


@contextmanager
def _turn_held_elsewhere(database_path: str) -> Iterator[int]:
    """Another process's turn to write: `flock` belongs to an open file, so a second
    descriptor stands in for another process."""
    other = os.open(lock_file(database_path), os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        yield other
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)


def _marks(database: Database) -> list[str]:
    with database.session() as session:
        return list(session.scalars(text("SELECT who FROM marks ORDER BY id")))


def test_concurrent_writers_all_land(marks_database: Database) -> None:
    names = [f"writer {n}" for n in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda name: _mark(marks_database, name), names))
    assert sorted(_marks(marks_database)) == sorted(names)


def test_a_rolled_back_or_failed_transaction_ends_its_turn(marks_database: Database) -> None:
    with marks_database.session(write=True) as session:
        session.execute(text("INSERT INTO marks (who) VALUES ('undone')"))
        session.rollback()
    with pytest.raises(OperationalError), marks_database.session(write=True) as session:
        session.execute(text("INSERT INTO no_such_table VALUES (1)"))
    with marks_database.session(write=True) as session:
        session.execute(text("INSERT INTO marks (who) VALUES ('left open')"))
        # closed without commit or rollback: the pool rolls back, and that ends the turn
    # Each of these would wait out the 15 s busy timeout if a turn had been left held.
    started = time.monotonic()
    _mark(marks_database, "after")
    assert time.monotonic() - started < 1
    assert _marks(marks_database) == ["after"]


def test_another_process_holding_the_turn_delays_a_writer_until_it_lets_go(
    marks_database: Database, marks_file: Path
) -> None:
    done = threading.Event()
    writer = threading.Thread(target=lambda: (_mark(marks_database, "waited"), done.set()))
    with _turn_held_elsewhere(str(marks_file)):
        writer.start()
        assert not done.wait(0.3), "wrote while another process held the turn"
    assert done.wait(5)
    writer.join()
    assert _marks(marks_database) == ["waited"]


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_an_error(marks_file: Path) -> None:
    impatient = _database(marks_file, busy_timeout_ms=200)
    holder = _database(marks_file)
    try:
        with holder.session(write=True) as held:
            held.execute(text("INSERT INTO marks (who) VALUES ('holder')"))
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                _mark(impatient, "too late")
            assert 0.2 <= time.monotonic() - started < 2
            held.commit()
        _mark(impatient, "in time")
        assert _marks(holder) == ["holder", "in time"]
    finally:
        impatient.dispose()
        holder.dispose()


def test_another_program_holding_the_write_lock_fails_a_writer_as_sqlalchemy_would(
    marks_file: Path,
) -> None:
    """A program that takes no turns (the sqlite3 shell, a backup) holds SQLite's own lock:
    the app's BEGIN IMMEDIATE, run on the driver's connection, waits out the busy timeout and
    fails with SQLAlchemy's error, which the API answers with a 503."""
    impatient = _database(marks_file, busy_timeout_ms=200)
    other = sqlite3.connect(marks_file, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            _mark(impatient, "too late")
        assert 0.2 <= time.monotonic() - started < 2
        other.execute("ROLLBACK")
        _mark(impatient, "in time")  # the failed writer's turn was let go
        assert _marks(impatient) == ["in time"]
    finally:
        other.close()
        impatient.dispose()


def test_the_app_database_writes_through_turns(marks_file: Path) -> None:
    """The lock file sits beside the database, where every process of the app finds it."""
    database = _database(marks_file)
    try:
        _mark(database, "one")
        assert Path(lock_file(str(marks_file))).exists()
    finally:
        database.dispose()


@pytest.fixture
def writers_lock_held_elsewhere(database_url: str) -> Iterator[int]:
    """Another process's turn to write, as far as the app can tell."""
    path = sqlite_file(database_url)
    if path is None:
        pytest.skip("turns are SQLite's")
    with _turn_held_elsewhere(path) as other:
        yield other


def test_a_write_request_waits_for_its_turn_only_once_it_writes(
    agent: Actor, anonymous: Actor, writers_lock_held_elsewhere: int
) -> None:
    """Who is asking and whether the body is valid are settled before the request queues
    for the write lock: refusals come at once, however long another writer holds it."""
    started = time.monotonic()
    assert agent.post("/api/tickets", json={"title": 5}).status_code == 422
    assert anonymous.post("/api/tickets", json={"description": "x"}).status_code == 401
    assert time.monotonic() - started < 2
    release = threading.Timer(0.5, fcntl.flock, (writers_lock_held_elsewhere, fcntl.LOCK_UN))
    release.start()
    created = agent.post("/api/tickets", json={"description": "after my turn"})
    assert created.status_code == 201
    assert time.monotonic() - started >= 0.5
    release.join()
