"""Migrations build exactly the schema the models describe, on an empty database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, _postgres_database
from ticketdesk import migrate


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        yield from _postgres_database()


def test_upgrade_then_check_finds_no_drift(empty_database: str) -> None:
    migrate.upgrade(empty_database)
    migrate.check(empty_database)  # raises alembic.util.exc.CommandError on drift
    migrate.upgrade(empty_database)  # a second run is a no-op
