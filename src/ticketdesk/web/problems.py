"""One error shape for all of /api: RFC 9457 problem details, and the table of statuses."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, request
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ticketdesk import errors

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
# What a 503 tells clients to wait before trying again, in seconds.
UNAVAILABLE_RETRY_AFTER = "5"

STATUS_BY_ERROR: dict[type[errors.DomainError], int] = {
    errors.Unauthenticated: 401,
    errors.RateLimited: 429,
    errors.NotAllowed: 403,
    errors.NotFound: 404,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.StaleVersion: 412,
    errors.InvalidValue: 422,
    errors.Unavailable: 503,
}


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(  # type: ignore[typeddict-unknown-key]
        json_schema_extra={"additionalProperties": True},
        openapi_extra={
            "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        },
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


def problem(
    status: int,
    detail: str,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = Problem(title=HTTP_STATUS_CODES.get(status, "Error"), status=status, detail=detail)
    body.errors = errors
    response = current_app.response_class(
        body.model_dump_json(exclude_none=True), status=status, mimetype=PROBLEM_TYPE
    )
    response.headers.update(headers or {})
    return response


def validation_problem(error: ValidationError) -> Response:
    """The 422 for a request that does not match its schema, naming every bad field."""
    field_errors = [
        FieldError(
            field=".".join(str(part) for part in item["loc"]) or "body",
            message=item["msg"],
            type=item["type"],
        )
        for item in error.errors(include_url=False, include_input=False)
    ]
    summary = "; ".join(f"{item.field}: {item.message}" for item in field_errors)
    return problem(422, f"invalid request: {summary}", errors=field_errors)


def domain_problem(error: errors.DomainError) -> Response:
    status = next((code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)), 400)
    field_errors = (
        [FieldError(field=error.field, message=error.message, type=type(error).__name__)]
        if error.field
        else None
    )
    headers = {}
    if isinstance(error, errors.Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="ticketdesk"'
    if isinstance(error, errors.RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, errors.Unavailable):
        headers["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    return problem(status, error.message, errors=field_errors, headers=headers)


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _http_problem(error: HTTPException) -> Response | HTTPException:
    if not _is_api_request():
        return error
    status = error.code or 500
    headers: dict[str, Any] = {}
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return problem(
        status, error.description or HTTP_STATUS_CODES.get(status, "Error"), headers=headers
    )


def _database_problem(error: DBAPIError) -> Response:
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("database unavailable: %s", error.orig)
        return unavailable()
    log.exception("database error")
    return problem(500, "internal error")


def _pool_exhausted_problem(error: PoolTimeout) -> Response:
    # Every pooled connection is busy (or stuck on a database that stopped answering).
    log.warning("no database connection free: %s", error)
    return unavailable()


def unavailable() -> Response:
    """The 503 for a database that cannot be reached (or has no connection free)."""
    return problem(
        503,
        "the database is unavailable; try again shortly",
        headers={"Retry-After": UNAVAILABLE_RETRY_AFTER},
    )


def _unexpected_problem(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, "internal error")


def register(app: Flask) -> None:
    app.register_error_handler(errors.DomainError, domain_problem)
    app.register_error_handler(HTTPException, _http_problem)
    app.register_error_handler(DBAPIError, _database_problem)
    app.register_error_handler(PoolTimeout, _pool_exhausted_problem)
    app.register_error_handler(Exception, _unexpected_problem)
