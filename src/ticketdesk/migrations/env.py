"""Alembic environment: metadata from the models, URL from the config (set by ticketdesk)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ticketdesk.db import create_db_engine
from ticketdesk.models import Base
from ticketdesk.settings import Settings

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or Settings().database_url
    engine = create_db_engine(url, create=True)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


main()
