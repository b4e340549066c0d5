"""The analytics service's HTTP views: agents and admins only."""

from __future__ import annotations

from flask import Response, jsonify

from ticketdesk.analytics import service
from ticketdesk.analytics.schemas import Count, TicketCountsQuery
from ticketdesk.web.context import analytics_session
from ticketdesk.web.guards import require_agent
from ticketdesk.web.openapi import api_blueprint

bp = api_blueprint(
    "analytics",
    url_prefix="/api/analytics",
    tag="analytics",
    guard=require_agent,
    also=[403],
    description="figures for agents and admins",
)


@bp.get("/ticket_counts", responses={200: Count})
def ticket_counts(query: TicketCountsQuery) -> Response:
    """How many tickets opened in the current calendar period are still open."""
    return jsonify(service.ticket_counts(analytics_session(), period=query.period))
