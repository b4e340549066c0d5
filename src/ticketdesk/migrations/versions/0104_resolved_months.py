"""analytics_resolved_months: the resolved-ticket counters by month, filled from the days

Revision ID: 0104_resolved_months
Revises: 0103_clustered_counters
Create Date: 2026-12-03 16:30:00

Mean resolution time by month, and the summary over all of history, summed the daily
counters (thousands of rows at a million tickets) at every request. The month's counters are
kept beside the days', in the same transaction (ticketdesk.analytics.aggregates), written
only when a ticket is resolved, closed or reopened.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0104_resolved_months"
down_revision: str | None = "0103_clustered_counters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_resolved_months",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("month", "category", name=op.f("pk_analytics_resolved_months")),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', day) AS DATE)"
    else:
        month = "date(day, 'start of month')"
    op.execute(  # the SQL holds no value from outside
        "INSERT INTO analytics_resolved_months (month, category, tickets, seconds)"  # noqa: S608
        f" SELECT {month}, category, sum(tickets), sum(seconds) FROM analytics_resolved"
        f" GROUP BY {month}, category"
    )


def downgrade() -> None:
    op.drop_table("analytics_resolved_months")
