"""SQLite keeps the analytics counters in the order of their keys (WITHOUT ROWID)

Revision ID: 0103_clustered_counters
Revises: 0102_search_log
Create Date: 2026-12-03 16:00:00

A counter table keyed by (day, category, status) was a table of rows by rowid plus an index
on its key: a figure over a year of days walked the index, then looked each row up in the
table for its count; each change to a count wrote both. WITHOUT ROWID, the table is the
key's B-tree, its rows in the key's order: the volume's year of opened counts sums in 3.5
ms instead of 5 at a million tickets (bench/RESULTS.md, session 15). The tables are small
(tens of thousands of rows at a million tickets), so each is copied, not altered. PostgreSQL
has no rowid: nothing changes there.
"""

import re
from collections.abc import Callable, Sequence

from alembic import op

revision: str = "0103_clustered_counters"
down_revision: str | None = "0102_search_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The counter tables, each keyed by several columns and with no index besides its key.
COUNTERS = (
    "analytics_opened",
    "analytics_resolved",
    "analytics_resolution_buckets",
    "analytics_first_response_buckets",
    "analytics_status_counts",
    "analytics_resolution_totals",
    "analytics_first_response_months",
)
SUFFIX = " WITHOUT ROWID"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in COUNTERS:
            _copy(table, lambda sql: sql + SUFFIX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in COUNTERS:
            _copy(table, lambda sql: sql.removesuffix(SUFFIX))


def _copy(table: str, rewrite: Callable[[str], str]) -> None:
    """`table` made anew from its own CREATE TABLE, rewritten, with its rows. (The names
    written into the SQL are those of COUNTERS.)"""
    create = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        .scalar_one()
    )
    # As created, the name is bare; SQLite writes it quoted after a rename.
    head = re.match(rf'CREATE TABLE ("?){table}\1 \(', create)
    if head is None:
        raise RuntimeError(f"{table}: unexpected definition {create[:60]!r}")
    copy = f"{table}_copy"
    op.execute(rewrite(f"CREATE TABLE {copy} (" + create[head.end() :]))
    op.execute(f"INSERT INTO {copy} SELECT * FROM {table}")  # noqa: S608
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {copy} RENAME TO {table}")
