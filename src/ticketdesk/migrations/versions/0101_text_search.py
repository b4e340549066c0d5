"""text search: trigram indexes on ticket titles and descriptions

Revision ID: 0101_search
Revises: 0100_perf
Create Date: 2026-11-23 19:45:00

`?q=` (text in the title or description, any case) was `ILIKE '%text%'` over every ticket:
6 to 8 s a request at a million tickets on either database. PostgreSQL gets pg_trgm GIN
indexes, which that same ILIKE uses. SQLite gets an FTS5 table with the trigram tokenizer
over the two columns, its content read from `tickets` (nothing is stored twice but the
index) and kept in step by triggers; see ticketdesk.tickets.search for how it is queried.
Neither is described by the models: env.py tells autogenerate to leave them alone. At a
million tickets this takes about 50 s on either database, writes to tickets waiting.

A later SQLite migration that rebuilds `tickets` (batch mode's copy-and-rename) drops these
triggers with the old table: it must create them again.
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0101_search"
down_revision: str | None = "0100_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE ticket_search USING fts5("
    " title, description, content='tickets', content_rowid='id', tokenize='trigram')",
    # An external-content index forgets a row by being told its old values.
    "CREATE TRIGGER ticket_search_insert AFTER INSERT ON tickets BEGIN"
    " INSERT INTO ticket_search (rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER ticket_search_delete AFTER DELETE ON tickets BEGIN"
    " INSERT INTO ticket_search (ticket_search, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER ticket_search_update AFTER UPDATE OF id, title, description ON tickets"
    " BEGIN"
    " INSERT INTO ticket_search (ticket_search, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description);"
    " INSERT INTO ticket_search (rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
    # The tickets already there.
    "INSERT INTO ticket_search (ticket_search) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER ticket_search_update",
    "DROP TRIGGER ticket_search_delete",
    "DROP TRIGGER ticket_search_insert",
    "DROP TABLE ticket_search",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    # Trusted since PostgreSQL 13: the database's owner may create it without a superuser.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in ("title", "description"):
        op.create_index(
            f"ix_tickets_{column}_trgm",
            "tickets",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    op.drop_index("ix_tickets_description_trgm", table_name="tickets")
    op.drop_index("ix_tickets_title_trgm", table_name="tickets")
    # pg_trgm stays: other objects may have come to depend on it since.
