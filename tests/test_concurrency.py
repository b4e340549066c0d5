"""No lost updates: ETag/If-Match, and many writers at once through the real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.factories import Actor, make_user
from ticketdesk import migrate
from ticketdesk.db import Database, open_database
from ticketdesk.tickets.models import Comment


def test_stale_if_match_is_412_and_changes_nothing(agent: Actor) -> None:
    ticket = agent.create_ticket(title="Original")
    url = f"/api/tickets/{ticket['id']}"
    first = agent.patch(url, json={"title": "First edit"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200
    assert first.headers["ETag"] == '"2"'
    stale = agent.patch(url, json={"title": "Second edit"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    stale_put = agent.put(
        url,
        json={"description": "x", "status": "open", "category": "c"},
        headers={"If-Match": '"1"'},
    )
    assert stale_put.status_code == 412
    after = agent.get(url).get_json()
    assert (after["title"], after["version"]) == ("First edit", 2)
    history = agent.get(f"{url}/history").get_json()
    assert [e["new_value"] for e in history if e["field"] == "title"] == ["First edit"]


@pytest.mark.parametrize("if_match", ['"2"', '"7", "2"', "*"])
def test_current_if_match_applies(agent: Actor, if_match: str) -> None:
    ticket = agent.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    agent.patch(url, json={"priority": "high"})
    response = agent.patch(url, json={"priority": "low"}, headers={"If-Match": if_match})
    assert response.status_code == 200


@pytest.mark.parametrize("if_match", ['W/"1"', "garbage", '""'])
def test_weak_or_unparseable_if_match_never_matches(agent: Actor, if_match: str) -> None:
    ticket = agent.create_ticket()
    response = agent.patch(
        f"/api/tickets/{ticket['id']}", json={"priority": "low"}, headers={"If-Match": if_match}
    )
    assert response.status_code == 412


def test_without_if_match_the_write_applies(agent: Actor) -> None:
    ticket = agent.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    agent.patch(url, json={"priority": "high"})
    assert agent.patch(url, json={"priority": "low"}).get_json()["version"] == 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    """`ticketdesk serve` (gunicorn, 4 workers, 4 threads each) on one SQLite file."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    migrate.upgrade(url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "TICKETDESK_ENV": "test"}
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ticketdesk",
            "serve",
            "--port",
            str(port),
            "--workers",
            "4",
            "--threads",
            "4",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    database = open_database(url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/api/health", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start")
        yield base, database
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        database.dispose()


def test_sixteen_threads_commenting_on_one_sqlite_file(
    sqlite_server: tuple[str, Database],
) -> None:
    base, database = sqlite_server
    _user_id, _email, token = make_user(database, "agent")
    headers = {"Authorization": f"Bearer {token}"}
    ticket_id = requests.post(
        f"{base}/api/tickets", json={"description": "busy ticket"}, headers=headers, timeout=10
    ).json()["id"]

    def writer(thread: int) -> list[str]:
        acknowledged = []
        with requests.Session() as http:
            for n in range(25):
                content = f"thread {thread} comment {n}"
                response = http.post(
                    f"{base}/api/tickets/{ticket_id}/comments",
                    json={"content": content},
                    headers=headers,
                    timeout=30,
                )
                assert response.status_code == 201, response.text
                acknowledged.append(content)
        return acknowledged

    with ThreadPoolExecutor(max_workers=16) as pool:
        acknowledged = [c for batch in pool.map(writer, range(16)) for c in batch]

    assert len(acknowledged) == 16 * 25
    with database.session() as session:
        stored = [c.content for c in session.query(Comment).filter_by(ticket_id=ticket_id)]
    assert sorted(stored) == sorted(acknowledged)
