"""Database outages: the server starts without its database, then loses it mid-run.

Meanwhile /api/health says so, every API call answers 503 problem JSON within a bound
(no worker hangs waiting), and once the database is back everything works again without a
restart, with nothing written before the outage lost.

PostgreSQL goes away behind a TCP proxy the test controls (the shared server stays up): the
proxy stops listening and resets open connections, as a crashed or restarting server does.
A SQLite database goes away when its directory does (a lost mount, a restore in progress):
here the directory is moved aside and a plain file put in its place.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

import pytest
import requests
from flask import Flask

from tests.factories import make_user
from tests.resilience.proxy import ProxiedPostgres
from tests.resilience.server import ServeProcess
from ticketdesk import migrate
from ticketdesk.db import open_database

# DB_CONNECT_TIMEOUT_S for the server under test; a 503 must come well within this bound.
CONNECT_TIMEOUT_S = 2
ANSWER_WITHIN_S = CONNECT_TIMEOUT_S + 3
RECOVER_WITHIN_S = 20
BURST = 24  # more concurrent calls than the server has threads (2 workers x 4)


class Outage(Protocol):
    url: str

    def down(self) -> None: ...

    def up(self) -> None: ...


class MovableSqlite:
    def __init__(self, root: Path) -> None:
        self._live = root / "volume"
        self._aside = root / "volume-unmounted"
        self._live.mkdir()
        self.url = f"sqlite:///{self._live / 'ticketdesk.sqlite3'}"
        migrate.upgrade(self.url)

    def down(self) -> None:
        self._live.rename(self._aside)
        self._live.write_text("not a directory: nothing can be created here either")

    def up(self) -> None:
        self._live.unlink()
        self._aside.rename(self._live)

    def close(self) -> None:
        if self._aside.exists():
            self.up()


@pytest.fixture
def outage(
    backend: str, database_url: str, app: Flask, tmp_path: Path
) -> Iterator[ProxiedPostgres | MovableSqlite]:
    target = ProxiedPostgres(database_url) if backend == "postgresql" else MovableSqlite(tmp_path)
    yield target
    target.close()


@pytest.fixture
def server(outage: Outage, tmp_path: Path) -> Iterator[ServeProcess]:
    workdir = tmp_path / "server"
    workdir.mkdir()
    env = {"DB_CONNECT_TIMEOUT_S": str(CONNECT_TIMEOUT_S), "SQLITE_BUSY_TIMEOUT_MS": "2000"}
    process = ServeProcess(outage.url, workdir, workers=2, threads=4, env=env)
    yield process
    process.stop()


def _health(server: ServeProcess) -> tuple[int, dict[str, str]]:
    response = requests.get(f"{server.base}/api/health", timeout=ANSWER_WITHIN_S)
    return response.status_code, response.json()


def _assert_unavailable(server: ServeProcess, token: str, ticket_id: int | None) -> None:
    assert _health(server) == (503, {"status": "unavailable", "database": "unreachable"})
    headers = {"Authorization": f"Bearer {token}"}
    calls = [
        ("get", "/api/tickets", None),
        ("post", "/api/tickets", {"description": "during the outage"}),
        ("get", f"/api/tickets/{ticket_id or 1}", None),
        ("get", "/api/analytics/ticket_counts", None),
    ]

    def call(n: int) -> tuple[int, str, str | None, float]:
        method, path, body = calls[n % len(calls)]
        started = time.monotonic()
        response = requests.request(
            method, server.base + path, json=body, headers=headers, timeout=30
        )
        elapsed = time.monotonic() - started
        return (
            response.status_code,
            response.headers["Content-Type"],
            response.headers.get("Retry-After"),
            elapsed,
        )

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        answers = list(pool.map(call, range(BURST)))
    for status, content_type, retry_after, elapsed in answers:
        assert (status, content_type) == (503, "application/problem+json")
        assert retry_after is not None
        assert elapsed < ANSWER_WITHIN_S, f"a 503 took {elapsed:.1f}s"


def _wait_until_healthy(server: ServeProcess) -> float:
    started = time.monotonic()
    while time.monotonic() - started < RECOVER_WITHIN_S:
        if _health(server)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    pytest.fail(f"not healthy {RECOVER_WITHIN_S}s after the database came back")


def _create(server: ServeProcess, token: str, description: str) -> int:
    response = requests.post(
        f"{server.base}/api/tickets",
        json={"description": description},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    ticket_id: int = response.json()["id"]
    return ticket_id


@pytest.mark.slow
def test_starts_without_the_database_and_survives_losing_it(
    outage: Outage, server: ServeProcess
) -> None:
    database = open_database(outage.url)
    _user_id, _email, token = make_user(database, "agent")
    database.dispose()

    outage.down()
    server.start()
    assert server.process is not None
    pid = server.process.pid
    _assert_unavailable(server, token, None)

    outage.up()
    _wait_until_healthy(server)
    before = _create(server, token, "written before the outage")

    outage.down()
    _assert_unavailable(server, token, before)

    outage.up()
    _wait_until_healthy(server)
    after = _create(server, token, "written after the outage")
    headers = {"Authorization": f"Bearer {token}"}
    listed = requests.get(f"{server.base}/api/tickets?sort=id", headers=headers, timeout=10)
    assert [t["id"] for t in listed.json()] == [before, after]
    assert server.process.pid == pid and server.process.poll() is None  # never restarted
    assert "WORKER TIMEOUT" not in server.log()


def test_sqlite_never_creates_an_empty_database_in_place_of_a_missing_one(
    tmp_path: Path,
) -> None:
    """A missing file is an outage, not a fresh install: the app must not start an empty
    help desk there (and a file restored later would then be overwritten or shadowed)."""
    url = f"sqlite:///{tmp_path / 'gone' / 'ticketdesk.sqlite3'}"
    database = open_database(url)
    with pytest.raises(Exception, match="unable to open database file"):
        database.session().connection()
    database.dispose()
    assert not (tmp_path / "gone").exists()
    shutil.rmtree(tmp_path, ignore_errors=True)
