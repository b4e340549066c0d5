"""The analytics service's HTTP views: agents and admins only, read-only, JSON or CSV."""

from __future__ import annotations

from flask import Response

from ticketdesk.analytics import first_response as first_responses
from ticketdesk.analytics import resolution, service, volume
from ticketdesk.analytics.changes import Kind
from ticketdesk.analytics.memo import remembered
from ticketdesk.analytics.output import respond, wants_csv
from ticketdesk.analytics.schemas import (
    ActiveByCategory,
    CategoryCounts,
    Count,
    CountsByCategoryQuery,
    FirstResponses,
    MonthlyMeans,
    RangeQuery,
    ResolutionSummary,
    ResolutionTimes,
    ResolutionTimesQuery,
    TicketCountsQuery,
    Volume,
    VolumeQuery,
)
from ticketdesk.analytics.table import Table
from ticketdesk.web.context import analytics_session
from ticketdesk.web.guards import require_agent
from ticketdesk.web.openapi import api_blueprint
from ticketdesk.web.pagination import page_response

bp = api_blueprint(
    "analytics",
    url_prefix="/api/analytics",
    tag="analytics",
    guard=require_agent,
    also=[403],
    description="figures for agents and admins; every one also as CSV (`?format=csv` or "
    "`Accept: text/csv`). Times are UTC; `from` is inclusive and `to` exclusive. An answer "
    "is given again from memory while no change to what it counts has committed; "
    "`Cache-Control: no-cache` computes it afresh.",
)


@bp.get("/ticket_counts", responses={200: Count})
@remembered(Kind.TICKETS)
def ticket_counts(query: TicketCountsQuery) -> Response:
    """How many tickets opened in the current calendar period (UTC) are still open.

    "Current" is calendar, not rolling: `period=month` counts from the first of this month.
    """
    count = service.ticket_counts(analytics_session(), period=query.period)
    return respond(
        lambda: Table(["count"], [(count,)]),
        format=query.format,
        name="ticket_counts",
        body=count,
    )


@bp.get("/counts_by_category", responses={200: CategoryCounts})
@remembered(Kind.TICKETS)
def counts_by_category(query: CountsByCategoryQuery) -> Response:
    """Tickets per category (seed 001), optionally only those now in some statuses and
    opened within [from, to)."""
    counts = service.counts_by_category(
        analytics_session(),
        time_range=query.time_range,
        statuses=query.status or (),
        categories=query.categories,
    )
    return respond(
        lambda: Table(["category", "count"], list(counts.items())),
        format=query.format,
        name="counts_by_category",
        body=counts,
    )


@bp.get("/active_by_category", responses={200: ActiveByCategory})
@remembered(Kind.TICKETS)
def active_by_category(query: RangeQuery) -> Response:
    """Tickets neither resolved nor closed, per category (seed 000); `from`/`to` narrow
    to tickets opened then."""
    table = service.active_by_category(
        analytics_session(), time_range=query.time_range, categories=query.categories
    )
    return respond(table, format=query.format, name="active_by_category")


@bp.get("/resolution_times", responses={200: ResolutionTimes})
@remembered(Kind.RESOLUTIONS)
def resolution_times(query: ResolutionTimesQuery) -> Response:
    """One row per resolved ticket (seed 000), most recently resolved first, paginated like
    the ticket list. `resolved_at` is the closing time for tickets closed without being
    resolved; `from`/`to` apply to it."""
    rows, total = resolution.resolution_times(
        analytics_session(),
        time_range=query.time_range,
        categories=query.categories,
        offset=query.offset,
        limit=query.per_page,
    )
    table = Table(
        ["ticket_id", "category", "opened_at", "resolved_at", "hours"],
        [
            (ticket_id, category, opened_at.isoformat(), resolved_at.isoformat(), seconds / 3600)
            for ticket_id, category, opened_at, resolved_at, seconds in rows
        ],
    )
    response = page_response(table.records(), total=total, query=query)
    if wants_csv(query.format):
        response.set_data(table.frame().to_csv(index=False))
        response.mimetype = "text/csv"
    response.vary.add("Accept")
    return response


@bp.get("/resolution_times/summary", responses={200: ResolutionSummary})
@remembered(Kind.RESOLUTIONS)
def resolution_summary(query: RangeQuery) -> Response:
    """Per category, of tickets resolved in [from, to): count, mean (exact), median and p90
    hours (each within 2.2% of the true value: they come from a log-scale histogram)."""
    table = resolution.resolution_summary(
        analytics_session(), time_range=query.time_range, categories=query.categories
    )
    return respond(table, format=query.format, name="resolution_summary")


@bp.get("/resolution_time_by_month", responses={200: MonthlyMeans})
@remembered(Kind.RESOLUTIONS)
def resolution_time_by_month(query: RangeQuery) -> Response:
    """Mean resolution hours by the month (UTC) tickets were resolved in (seed 001).
    `from`/`to` select the whole months they fall in; months without any are left out."""
    table = resolution.resolution_time_by_month(
        analytics_session(), time_range=query.time_range, categories=query.categories
    )
    means = dict(zip(table.column("month"), table.column("mean_hours"), strict=True))
    return respond(table, format=query.format, name="resolution_time_by_month", body=means)


@bp.get("/ticket_volume", responses={200: Volume})
@remembered(Kind.TICKETS, Kind.RESOLUTIONS)
def ticket_volume(query: VolumeQuery) -> Response:
    """Opened, closed (resolved, or closed unresolved) and backlog per day, week (from
    Monday) or month in UTC, over the periods that meet [from, to). Default: the last 30
    days, 12 weeks or 12 months, up to the current one."""
    table = volume.ticket_volume(
        analytics_session(),
        interval=query.interval,
        time_range=query.time_range,
        categories=query.categories,
    )
    return respond(table, format=query.format, name="ticket_volume")


@bp.get("/first_response", responses={200: FirstResponses})
@remembered(Kind.FIRST_RESPONSES)
def first_response(query: RangeQuery) -> Response:
    """Median and p90 hours from opening to the first public reply by an agent or admin, by
    the month (UTC) of that reply; within 2.2% (log-scale histogram). `from`/`to` select
    whole months."""
    table = first_responses.first_response_by_month(
        analytics_session(), time_range=query.time_range, categories=query.categories
    )
    return respond(table, format=query.format, name="first_response")
