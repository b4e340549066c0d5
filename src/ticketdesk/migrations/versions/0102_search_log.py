"""SQLite's search index moves to a file of its own, kept up to date off the request path

Revision ID: 0102_search_log
Revises: 0101_search
Create Date: 2026-11-24 09:00:00

The FTS5 table and its triggers inside the database made every write that created a ticket
or changed its text index it and take part in FTS5's segment merges, behind the one write
lock (see ticketdesk.sqlite_search). Here that table goes, and the triggers only log which
tickets changed; `ticketdesk.migrate.upgrade` then builds the index in `<database>-search`
(about a minute at a million tickets, writes not waiting). PostgreSQL keeps its pg_trgm
indexes: nothing changes there.

A later SQLite migration that rebuilds `tickets` (batch mode's copy-and-rename) drops these
triggers with the old table: it must create them again.
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0102_search_log"
down_revision: str | None = "0101_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    "DROP TRIGGER ticket_search_update",
    "DROP TRIGGER ticket_search_delete",
    "DROP TRIGGER ticket_search_insert",
    "DROP TABLE main.ticket_search",
    # AUTOINCREMENT: a sequence number is never handed out twice, even after the indexed
    # entries are deleted, so the index's "indexed through" mark stays meaningful.
    "CREATE TABLE ticket_search_log ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, ticket_id INTEGER NOT NULL)",
    "CREATE TRIGGER ticket_search_log_insert AFTER INSERT ON tickets BEGIN"
    " INSERT INTO ticket_search_log (ticket_id) VALUES (new.id); END",
    "CREATE TRIGGER ticket_search_log_delete AFTER DELETE ON tickets BEGIN"
    " INSERT INTO ticket_search_log (ticket_id) VALUES (old.id); END",
    "CREATE TRIGGER ticket_search_log_update AFTER UPDATE OF id, title, description ON tickets"
    " BEGIN INSERT INTO ticket_search_log (ticket_id) VALUES (old.id);"
    " INSERT INTO ticket_search_log (ticket_id) SELECT new.id WHERE new.id <> old.id; END",
]
# 0101's table and triggers, as they were.
SQLITE_DOWN = [
    "DROP TRIGGER ticket_search_log_update",
    "DROP TRIGGER ticket_search_log_delete",
    "DROP TRIGGER ticket_search_log_insert",
    "DROP TABLE ticket_search_log",
    "CREATE VIRTUAL TABLE main.ticket_search USING fts5("
    " title, description, content='tickets', content_rowid='id', tokenize='trigram')",
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
    "INSERT INTO main.ticket_search (ticket_search) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
