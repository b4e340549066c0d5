"""A SQLite commit that changed rows is flushed to disk before the request goes on, after
the write lock is free (`ticketdesk.sqlite_flush`): what `SQLITE_SYNCHRONOUS=FULL` promises,
without making every writer wait for every other writer's flush."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from ticketdesk import sqlite_flush
from ticketdesk.db import Database, open_database


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch, marks_file: Path) -> list[str]:
    """Each flush, as the file it flushed, and whether another writer could take SQLite's
    write lock at that moment (it must: the flush comes after the lock is let go)."""
    seen: list[str] = []
    real_fdatasync = os.fdatasync

    def recording_fdatasync(descriptor: int) -> None:
        flushed = os.readlink(f"/proc/self/fd/{descriptor}")
        other = sqlite3.connect(marks_file, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append(f"{flushed} (lock free)")
        except sqlite3.OperationalError:
            seen.append(f"{flushed} (lock held)")
        finally:
            other.close()
        real_fdatasync(descriptor)

    monkeypatch.setattr(sqlite_flush.os, "fdatasync", recording_fdatasync)
    return seen


def _database(path: Path, synchronous: str = "FULL") -> Database:
    return open_database(f"sqlite:///{path}", sqlite_synchronous=synchronous)


def _write(database: Database, who: str) -> None:
    with database.session(write=True) as session:
        session.execute(text("INSERT INTO marks (who) VALUES (:who)"), {"who": who})
        session.commit()


def test_a_write_is_flushed_once_after_its_commit_lets_the_lock_go(
    marks_file: Path, flushes: list[str]
) -> None:
    database = _database(marks_file)
    try:
        _write(database, "first")
        _write(database, "second")
    finally:
        database.dispose()
    log = f"{marks_file}-wal (lock free)"
    assert flushes == [log, log]


def test_sqlite_itself_does_not_sync_each_commit(marks_file: Path) -> None:
    """SQLite's own per-commit sync would be made with the lock held: NORMAL leaves it out."""
    database = _database(marks_file)
    try:
        with database.session() as session:
            assert session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
    finally:
        database.dispose()


def test_commits_that_change_nothing_are_not_flushed(marks_file: Path, flushes: list[str]) -> None:
    database = _database(marks_file)
    try:
        with database.session() as session:
            session.scalar(text("SELECT count(*) FROM marks"))
            session.commit()
        with database.session(write=True) as session:
            session.execute(text("UPDATE marks SET who = 'nobody' WHERE id = -1"))
            session.commit()
        with database.session(write=True) as session:
            session.execute(text("INSERT INTO marks (who) VALUES ('undone')"))
            session.rollback()
    finally:
        database.dispose()
    assert flushes == []


def test_a_write_outside_the_writers_turns_is_flushed_too(
    marks_file: Path, flushes: list[str]
) -> None:
    """A plain transaction that writes (a migration, a script) is flushed all the same."""
    database = _database(marks_file)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO marks (who) VALUES ('script')"))
    finally:
        database.dispose()
    assert flushes == [f"{marks_file}-wal (lock free)"]


def test_normal_leaves_commits_to_the_checkpoints(marks_file: Path, flushes: list[str]) -> None:
    database = _database(marks_file, synchronous="NORMAL")
    try:
        _write(database, "unflushed")
    finally:
        database.dispose()
    assert flushes == []


def test_where_there_is_no_fdatasync_the_log_is_fsynced(
    marks_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS has no `fdatasync`."""
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.delattr(os, "fdatasync")
    monkeypatch.setattr(os, "fsync", recording_fsync)
    database = _database(marks_file)
    try:
        _write(database, "on a Mac")
    finally:
        database.dispose()
    assert synced == [f"{marks_file}-wal"]
