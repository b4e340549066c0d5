"""Shared OpenAPI declarations: security, the error responses every operation may give."""

from __future__ import annotations

from typing import Any

from ticketdesk.web.problems import Problem

BEARER = [{"bearer": []}]
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"},
    "session": {"type": "apiKey", "in": "cookie", "name": "ticketdesk_session"},
}
# Every authenticated operation can answer these.
COMMON_ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 413: Problem, 415: Problem,
                                 422: Problem, 503: Problem}


def errors(*statuses: int) -> dict[int, Any]:
    """The problem responses an operation documents beyond the common ones."""
    return dict.fromkeys(statuses, Problem)
