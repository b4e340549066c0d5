"""Schema migrations: Alembic, configured from code so that no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ticketdesk import sqlite_search
from ticketdesk.db import normalize_url, sqlite_file

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate, then bring SQLite's search index up to date: it lives outside the database
    (see ticketdesk.sqlite_search), and a server should not start with it unbuilt."""
    command.upgrade(alembic_config(database_url), revision)
    path = sqlite_file(database_url)
    if path is not None and revision == "head":
        sqlite_search.catch_up(path, busy_timeout_s=15)


def check(database_url: str) -> None:
    """Raise if the models differ from what the migrations build."""
    command.check(alembic_config(database_url))
