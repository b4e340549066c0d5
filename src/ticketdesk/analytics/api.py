"""The analytics service's HTTP views: agents and admins only."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag

from ticketdesk.analytics import service
from ticketdesk.analytics.schemas import Count, TicketCountsQuery
from ticketdesk.web.context import analytics_session
from ticketdesk.web.guards import require_agent
from ticketdesk.web.openapi import BEARER, COMMON_ERRORS, errors

bp = APIBlueprint(
    "analytics",
    __name__,
    url_prefix="/api/analytics",
    abp_tags=[Tag(name="analytics", description="figures for agents and admins")],
    abp_security=BEARER,
    abp_responses={**COMMON_ERRORS, **errors(403)},
)
bp.before_request(require_agent)


@bp.get("/ticket_counts", responses={200: Count})
def ticket_counts(query: TicketCountsQuery) -> Response:
    """How many tickets opened in the current calendar period are still open."""
    return jsonify(service.ticket_counts(analytics_session(), period=query.period))
