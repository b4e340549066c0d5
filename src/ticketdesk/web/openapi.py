"""Shared OpenAPI declarations: security, the error responses every operation may give."""

from __future__ import annotations

from typing import Any

from flask_openapi3.types import ResponseDict

from ticketdesk.web.problems import Problem

BEARER: list[dict[str, list[str]]] = [{"bearer": []}, {"session": []}]
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"},
    "session": {"type": "apiKey", "in": "cookie", "name": "ticketdesk_session"},
}
# Every authenticated operation can answer these.
COMMON_ERRORS: ResponseDict = dict.fromkeys((400, 401, 413, 415, 422, 503), Problem)


def errors(*statuses: int) -> ResponseDict:
    """The problem responses an operation documents beyond the common ones."""
    return dict.fromkeys(statuses, Problem)
