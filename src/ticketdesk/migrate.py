"""Schema migrations: Alembic, configured from code so that no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import exists, select

from ticketdesk import sqlite_search
from ticketdesk.analytics.models import StatusCount
from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.db import create_db_engine, normalize_url, sqlite_file
from ticketdesk.tickets.models import Ticket

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate; then, at the head, count the tickets into the analytics aggregates if they
    never were (a database from before them), and bring SQLite's search index up to date: it
    lives outside the database (see ticketdesk.sqlite_search), and a server should not start
    with it unbuilt."""
    command.upgrade(alembic_config(database_url), revision)
    if revision != "head":
        return
    _count_tickets_never_counted(database_url)
    path = sqlite_file(database_url)
    if path is not None:
        sqlite_search.catch_up(path, busy_timeout_s=15)


def _count_tickets_never_counted(database_url: str) -> None:
    """Rebuild the aggregates when there are tickets and no counts of them: the per-status
    roll-up has a row for every ticket's category and status once they are counted. (Here
    rather than in a migration: the rebuild writes today's tables, which an old revision
    does not have yet.)"""
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            tickets = connection.scalar(select(exists().where(Ticket.id.is_not(None))))
            counted = connection.scalar(select(exists().where(StatusCount.tickets.is_not(None))))
            if tickets and not counted:
                rebuild_all(connection)
    finally:
        engine.dispose()


def check(database_url: str) -> None:
    """Raise if the models differ from what the migrations build."""
    command.check(alembic_config(database_url))
