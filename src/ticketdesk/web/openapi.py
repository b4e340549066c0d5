"""Shared OpenAPI declarations: security, the error responses every operation may give."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
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


def api_blueprint(
    name: str,
    *,
    url_prefix: str,
    tag: str,
    guard: Callable[[], None] | None,
    also: Iterable[int] = (),
    description: str | None = None,
) -> APIBlueprint:
    """One area of the API: tagged in the docs, checked by `guard` before every view, and
    documenting the problem responses its operations may give (the common ones and `also`)."""
    blueprint = APIBlueprint(
        name,
        __name__,
        url_prefix=url_prefix,
        abp_tags=[Tag(name=tag, description=description)],
        abp_security=BEARER if guard else [],
        abp_responses={**COMMON_ERRORS, **errors(*also)},
    )
    if guard is not None:
        blueprint.before_request(guard)
    return blueprint
