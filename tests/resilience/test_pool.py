"""A pooled PostgreSQL connection the server dropped is replaced before a request meets it,
however soon after its last use the request comes (`db._ping_when_in_doubt`)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from tests.resilience.proxy import ProxiedPostgres
from ticketdesk.db import PING_AFTER_IDLE_S, open_database


def test_a_dropped_connection_is_replaced_even_when_used_a_moment_ago(
    backend: str, database_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server to drop connections")
    proxied = ProxiedPostgres(database_url)
    database = open_database(proxied.url)
    try:
        for session in (database.session(write=True), database.read_session()):
            with session:
                session.execute(text("SELECT 1"))
        last_used = time.monotonic()

        proxied.down()  # a restart: every open connection is reset
        proxied.up()

        for session in (database.session(write=True), database.read_session()):
            with session:
                assert session.scalar(text("SELECT 1")) == 1
        assert time.monotonic() - last_used < PING_AFTER_IDLE_S, "too slow to test the idea"
    finally:
        database.dispose()
        proxied.close()
