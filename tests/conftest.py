"""Test fixtures: every test runs on SQLite and, when reachable, on PostgreSQL.

Each backend gets a fresh database, migrated once per session; tables are emptied after
each test so that tests can commit for real (threads, subprocess servers) yet stay isolated.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.factories import Actor, make_actor
from ticketdesk import migrate
from ticketdesk.app import create_app, dispose
from ticketdesk.db import Database, create_db_engine, open_database
from ticketdesk.models import Base
from ticketdesk.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get(
    "TICKETDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TICKETDESK_REQUIRE_POSTGRES") == "1"


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        if REQUIRE_POSTGRES:
            raise
        return False


BACKENDS = ["sqlite", *(["postgresql"] if _postgres_reachable() else [])]


def _postgres_database() -> Iterator[str]:
    name = f"ticketdesk_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "ticketdesk.sqlite3"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        yield url
        return
    for url in _postgres_database():
        migrate.upgrade(url)
        yield url


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


def _empty_tables(url: str) -> None:
    engine = create_db_engine(url)
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        TICKETDESK_ENV="test",
        TICKETDESK_INSTANCE=tmp_path,
        database_url=database_url,
        secret_key="test-secret",
    )


@pytest.fixture
def app(settings: Settings, database_url: str) -> Iterator[Flask]:
    application = create_app(settings)
    application.config["TESTING"] = True
    yield application
    dispose(application)
    _empty_tables(database_url)


@pytest.fixture
def marks_file(tmp_path: Path) -> Path:
    """A SQLite file of its own, holding one table, `marks (id, who)`, for tests of how
    SQLite's writes are ordered and flushed."""
    path = tmp_path / "marks.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}", create=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE marks (id INTEGER PRIMARY KEY, who TEXT)")
    engine.dispose()
    return path


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = open_database(settings.database_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database, app: Flask) -> Iterator[Session]:
    """A session on the test database for arranging data and checking results."""
    with database.session() as db_session:
        yield db_session


@pytest.fixture
def admin(app: Flask, database: Database) -> Actor:
    return make_actor(app, database, "admin")


@pytest.fixture
def agent(app: Flask, database: Database) -> Actor:
    return make_actor(app, database, "agent")


@pytest.fixture
def requester(app: Flask, database: Database) -> Actor:
    return make_actor(app, database, "requester")


@pytest.fixture
def other_requester(app: Flask, database: Database) -> Actor:
    return make_actor(app, database, "requester")


@pytest.fixture
def anonymous(app: Flask) -> Actor:
    return Actor(app.test_client(), user_id=0, token="", role="anonymous", email="")
