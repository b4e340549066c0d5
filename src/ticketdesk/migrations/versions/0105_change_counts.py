"""changes on the roll-ups: how many committed changes have written each row

Revision ID: 0105_change_counts
Revises: 0104_resolved_months
Create Date: 2026-12-03 18:45:00

The analytics keep the answers they gave in memory, each with the sum of `changes` over the
roll-up that every change of what it read writes (ticket statuses, resolved months, first
replies by month), and give it again while that sum stands (ticketdesk.analytics.changes and
ticketdesk.analytics.memo). A counter the writers already update, rather than a row of its
own: a table of change counts cost creates 6% (SQLite) to 16% (PostgreSQL) of their rate,
in a statement of its own and a lock that writers queued for (bench/RESULTS.md, session 16).
Rows already there start at one, as every row written from now on does.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0105_change_counts"
down_revision: str | None = "0104_resolved_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("analytics_status_counts", "analytics_resolved_months", "analytics_first_response_months")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table, sa.Column("changes", sa.BigInteger(), server_default="1", nullable=False)
        )


def downgrade() -> None:
    # SQLite drops a column in place since 3.35 (a batch copy would lose WITHOUT ROWID).
    for table in TABLES:
        op.drop_column(table, "changes")
