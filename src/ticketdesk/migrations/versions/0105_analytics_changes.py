"""analytics_changes: how many transactions have changed each kind of aggregate

Revision ID: 0105_analytics_changes
Revises: 0104_resolved_months
Create Date: 2026-12-03 18:30:00

The analytics keep the figures they answered in memory, each with the change counts of the
aggregates it read, and answer again from memory while those counts stay the same
(ticketdesk.analytics.changes and ticketdesk.analytics.memo). The table starts empty: every
count is zero until the first change after the upgrade, and no process has a figure from
before it in memory.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0105_analytics_changes"
down_revision: str | None = "0104_resolved_months"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_changes",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "shard", name=op.f("pk_analytics_changes")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("analytics_changes")
