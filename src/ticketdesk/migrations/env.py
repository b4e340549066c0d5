"""Alembic environment: metadata from the models, URL from the config (set by ticketdesk)."""

from __future__ import annotations

from alembic import context
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import Connection

from ticketdesk.db import create_db_engine
from ticketdesk.models import Base
from ticketdesk.settings import Settings
from ticketdesk.tickets import search

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_described_by_models,
    )
    with context.begin_transaction():
        context.run_migrations()


def _described_by_models(
    name: str | None, kind: NameFilterType, _parents: NameFilterParentNames
) -> bool:
    """Everything but the text search's table and indexes (see migration 0101)."""
    return not search.is_search_object(name, kind)


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
