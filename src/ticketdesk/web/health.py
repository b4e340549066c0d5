"""`GET /api/health`: is this process able to reach its database? No authentication."""

from __future__ import annotations

from flask import Response, jsonify
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ticketdesk.web.context import app_state

bp = APIBlueprint("health", __name__, url_prefix="/api", abp_tags=[Tag(name="health")])


class Health(BaseModel):
    status: str
    database: str


@bp.get("/health", responses={200: Health, 503: Health}, security=[])
def health() -> Response:
    """`ok` with 200 when the database answers, `unavailable` with 503 when it does not."""
    try:
        with app_state().database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (DBAPIError, PoolTimeout):
        response = jsonify(Health(status="unavailable", database="unreachable").model_dump())
        response.status_code = 503
        return response
    return jsonify(Health(status="ok", database="ok").model_dump())
