"""`POST /api/admin/import`: admins send a CSV file as the body (Content-Type: text/csv)."""

from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import BaseModel, Field

from ticketdesk.errors import InvalidValue
from ticketdesk.imports.csvfile import SHOWN_PROBLEMS, ImportRejected
from ticketdesk.imports.service import import_tickets
from ticketdesk.web.context import current_user, db_session
from ticketdesk.web.guards import require_admin
from ticketdesk.web.openapi import api_blueprint
from ticketdesk.web.params import QueryParams
from ticketdesk.web.problems import FieldError, problem

CSV_BODY = {
    "description": "the CSV file: header title,description,status,category,priority,"
    "opened_at,resolved_at,closed_at,requester_email (other columns ignored; times ISO 8601, "
    "UTC when they name no zone). Larger files than MAX_BODY_BYTES: use "
    "`ticketdesk import tickets FILE`.",
    "required": True,
    "content": {"text/csv": {"schema": {"type": "string"}}},
}

bp = api_blueprint(
    "imports",
    url_prefix="/api/admin",
    tag="admin",
    guard=require_admin,
    also=[403],
    description="for admins only",
)


class ImportQuery(QueryParams):
    source: str = Field(
        default="upload", max_length=100, description="a name for the file, kept in history"
    )


class ImportOut(BaseModel):
    tickets: int
    requesters_created: int
    first_ticket_id: int | None
    last_ticket_id: int | None


@bp.post(
    "/import",
    responses={201: ImportOut},
    openapi_extensions={"requestBody": CSV_BODY},
)
def import_csv(query: ImportQuery) -> Response:
    """Import tickets from CSV, all or nothing: any bad row is a 422 naming each problem as
    `line N.field`, and nothing is stored."""
    session = db_session()
    try:
        result = import_tickets(
            session, data=request.get_data(), source=query.source, actor=current_user()
        )
    except ImportRejected as rejected:
        session.rollback()
        return problem(
            422,
            f"{len(rejected.problems)} problems in the file; nothing was imported: {rejected}",
            errors=[
                FieldError(
                    field=f"line {item.line}.{item.field}",
                    message=item.message,
                    type=InvalidValue.__name__,  # a domain refusal, like every bad value
                )
                for item in rejected.problems[:SHOWN_PROBLEMS]
            ],
        )
    session.commit()
    response = jsonify(ImportOut(**result.__dict__).model_dump())
    response.status_code = 201
    return response
