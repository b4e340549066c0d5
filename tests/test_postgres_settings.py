"""What each PostgreSQL connection sets for itself, whatever the server's defaults are."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ticketdesk.db import Database


@pytest.mark.parametrize("reads", [False, True], ids=["write-session", "read-session"])
def test_each_connection_sets_its_limits_durability_and_no_parallel_workers(
    database: Database, backend: str, reads: bool
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with database.read_session() if reads else database.session() as session:
        shown = {
            name: session.scalar(text(f"SHOW {name}"))
            for name in (
                "lock_timeout",
                "statement_timeout",
                "synchronous_commit",
                "max_parallel_workers_per_gather",
            )
        }
    assert shown == {
        "lock_timeout": "15s",
        "statement_timeout": "1min",
        "synchronous_commit": "on",
        "max_parallel_workers_per_gather": "0",
    }
