"""Query and response models of the analytics API: validated, and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
)

from ticketdesk.analytics.buckets import RELATIVE_PRECISION
from ticketdesk.analytics.periods import Period
from ticketdesk.analytics.ranges import EARLIEST, LATEST, TimeRange
from ticketdesk.analytics.volume import Interval
from ticketdesk.enums import Status
from ticketdesk.errors import InvalidValue
from ticketdesk.tickets.schemas import Category, CommaList
from ticketdesk.web.pagination import PageQuery
from ticketdesk.web.params import QueryParams

PRECISION = f"within {RELATIVE_PRECISION:.1%} (from a log-scale histogram)"
CSV_TOO: dict[str, Any] = {"content": {"text/csv": {"schema": {"type": "string"}}}}


def _iso_time(value: Any) -> Any:
    """ISO 8601 text to an aware UTC datetime; a time without a zone is taken as UTC."""
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError("not an ISO 8601 date or time") from error
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


IsoTime = Annotated[datetime, BeforeValidator(_iso_time)]


class Output(QueryParams):
    format: Literal["json", "csv"] | None = Field(
        default=None, description="`csv` for CSV; also chosen by `Accept: text/csv`"
    )


class RangeQuery(Output):
    model_config = ConfigDict(populate_by_name=True)

    from_: IsoTime | None = Field(
        default=None,
        alias="from",
        description="ISO 8601 date or time, inclusive (UTC when it names no zone)",
    )
    to: IsoTime | None = Field(default=None, description="ISO 8601 date or time, exclusive")
    category: Annotated[list[Category] | None, CommaList] = Field(
        default=None, description="only these categories (repeat or comma-separate)"
    )

    @property
    def time_range(self) -> TimeRange:
        """The range asked for. Its limits are domain rules, not shapes the document can
        state, so they are refused as such (422 naming the parameter)."""
        for name, moment in (("from", self.from_), ("to", self.to)):
            if moment is not None and not EARLIEST <= moment < LATEST:
                raise InvalidValue(f"must be between {EARLIEST.year} and {LATEST.year}", field=name)
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise InvalidValue("must not be before `from`", field="to")
        return TimeRange(self.from_, self.to)

    @property
    def categories(self) -> list[str]:
        return self.category or []


class TicketCountsQuery(Output):
    period: Period = Field(
        default=Period.MONTH,
        description="the current calendar period in UTC (not a rolling window): "
        "day, week (from Monday), month, quarter or year",
    )


class CountsByCategoryQuery(RangeQuery):
    status: Annotated[list[Status] | None, CommaList] = Field(
        default=None, description="only tickets now in these statuses"
    )


class ResolutionTimesQuery(RangeQuery, PageQuery):
    pass


class VolumeQuery(RangeQuery):
    interval: Interval = Field(default=Interval.MONTH, description="day, week or month")


class Count(RootModel[int]):
    """A bare integer, as seed 001 specifies."""

    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class CategoryCounts(RootModel[dict[str, int]]):
    """`{category: count}` (seed 001); categories without matching tickets are left out."""

    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class ActiveCategory(BaseModel):
    category: str
    count: int


class ActiveByCategory(RootModel[list[ActiveCategory]]):
    """Every category that has tickets, busiest first; 0 when none of them is active."""

    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class ResolutionTime(BaseModel):
    ticket_id: int
    category: str
    opened_at: datetime
    resolved_at: datetime = Field(description="when resolved, or closed without resolution")
    hours: float


class ResolutionTimes(RootModel[list[ResolutionTime]]):
    """Most recently resolved first; X-Total-Count and Link headers describe the pages."""

    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class ResolutionSummaryRow(BaseModel):
    category: str
    count: int
    mean_hours: float = Field(description="exact")
    median_hours: float = Field(description=PRECISION)
    p90_hours: float = Field(description=PRECISION)


class ResolutionSummary(RootModel[list[ResolutionSummaryRow]]):
    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class MonthlyMeans(RootModel[dict[str, float]]):
    """`{"YYYY-MM": mean hours}` by the month tickets were resolved (seed 001)."""

    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class VolumePoint(BaseModel):
    period: str = Field(description="the period's first day, YYYY-MM-DD (weeks: Mondays)")
    opened: int
    closed: int = Field(description="resolved, or closed without resolution, in the period")
    backlog: int = Field(description="opened by the period's end and not yet closed then")


class Volume(RootModel[list[VolumePoint]]):
    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]


class FirstResponseMonth(BaseModel):
    month: str = Field(description="YYYY-MM of the first response")
    count: int
    median_hours: float = Field(description=PRECISION)
    p90_hours: float = Field(description=PRECISION)


class FirstResponses(RootModel[list[FirstResponseMonth]]):
    model_config = ConfigDict(openapi_extra=CSV_TOO)  # type: ignore[typeddict-unknown-key]
