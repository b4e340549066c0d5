from __future__ import annotations

from pydantic import BaseModel, Field, RootModel

from ticketdesk.analytics.periods import Period


class TicketCountsQuery(BaseModel):
    period: Period = Field(
        default=Period.MONTH,
        description="the current calendar period in UTC (not a rolling window): "
        "day, week (from Monday), month, quarter or year",
    )


class Count(RootModel[int]):
    """A bare integer, as seed 001 specifies."""
