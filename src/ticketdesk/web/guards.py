"""Checks every /api request passes before its view: a JSON body, and who is asking."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Response, current_app, g, request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType

from ticketdesk.accounts.actor import Caller
from ticketdesk.accounts.service import caller_for_token
from ticketdesk.accounts.web_sessions import find_session
from ticketdesk.errors import InvalidValue, NotAllowed, Unauthenticated
from ticketdesk.web import problems
from ticketdesk.web.context import SAFE_METHODS, lookup_session

View = TypeVar("View", bound=Callable[..., Any])

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SESSION_COOKIE = "ticketdesk_session"
CSRF_HEADER = "X-CSRF-Token"
# The few routes whose body is not JSON, and the one media type each takes instead.
OTHER_BODIES = {"/api/admin/import": "text/csv"}


def require_json_body() -> None:
    """415 for a body that is not JSON, 400 for JSON that does not parse, before any view runs."""
    if not request.path.startswith("/api/"):
        return
    for name, value in request.args.items(multi=True):
        _refuse_nul(value, name)
    if request.method not in BODY_METHODS or not _has_body():
        return  # no body at all: the view's schema says what is missing
    if request.path in OTHER_BODIES:
        wanted = OTHER_BODIES[request.path]
        if request.mimetype != wanted:
            raise UnsupportedMediaType(f"send the request body as {wanted}")
        return
    if not request.is_json:
        raise UnsupportedMediaType("send the request body as application/json")
    _refuse_oversized_stream()
    _refuse_nul(_json_object(), "body")


def _has_body() -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "")
    return bool(request.content_length) or chunked or bool(request.mimetype)


def _json_object() -> dict[str, Any]:
    try:
        body = request.get_json()
    except BadRequest as error:
        raise BadRequest("the request body is not valid JSON") from error
    except RecursionError as error:
        raise BadRequest("the request body is nested too deeply") from error
    if not isinstance(body, dict):
        # Every body is an object; a JSON string would otherwise be parsed a second time as
        # JSON by the request validator, accepting double-encoded bodies.
        raise InvalidValue("the request body must be a JSON object", field="body")
    return body


def _refuse_oversized_stream() -> None:
    """413 for a chunked body (no Content-Length) longer than the limit.

    werkzeug stops reading such a body at MAX_CONTENT_LENGTH without an error, so the
    request would go on with a silently truncated body (usually a misleading 400).
    """
    limit = request.max_content_length
    if request.content_length is not None or limit is None:
        return  # a declared length over the limit is refused by werkzeug itself
    if len(request.get_data(cache=True)) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def _refuse_nul(value: Any, where: str) -> None:
    """PostgreSQL cannot store NUL in text, and no help desk text needs it: refuse it anywhere."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidValue("NUL characters are not allowed", field=where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, where)
            _refuse_nul(item, key if where == "body" else f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{where}.{index}")


def authenticate() -> None:
    """Resolve the caller from a bearer token (scripts) or the session cookie (browsers).

    Cookie-authenticated writes must come from our own origin and carry the session's CSRF
    token, so a page on another site cannot act with a signed-in user's cookie. A view that
    finds who is asking itself is left the bearer token (see `finds_caller_itself`).
    """
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" else ""
    if bearer and _view_finds_caller():
        g.bearer_token = bearer
        return
    caller = None
    with lookup_session() as session:
        if bearer:
            caller = caller_for_token(session, bearer)
        elif SESSION_COOKIE in request.cookies:
            web_session = find_session(session, request.cookies[SESSION_COOKIE])
            if web_session is not None:
                if request.method not in SAFE_METHODS:
                    check_same_origin()
                    _check_csrf(web_session.csrf_token)
                g.web_session = web_session
                caller = Caller.of(web_session.user)
    accept_caller(caller)


def accept_caller(caller: Caller | None) -> Caller:
    """The request's caller from now on; 401 for none, 403 for one the route's guard does
    not let in (`require_agent`, `require_admin`), whether the guard or the view found them."""
    if caller is None:
        raise Unauthenticated("authentication required: sign in or send a valid bearer token")
    allowed: _Allowed | None = g.get("caller_allowed")
    if allowed is not None and not allowed.lets_in(caller):
        raise NotAllowed(allowed.refusal)
    g.user = caller
    return caller


def accept_bearer_token(token: str) -> Caller:
    """Whom `token` belongs to, looked up on its own and accepted as the caller
    (`accept_caller`)."""
    with lookup_session() as session:
        return accept_caller(caller_for_token(session, token))


def finds_caller_itself(view: View) -> View:
    """Mark a read-only view that finds who is asking in its own first statement, together
    with what it answers: on PostgreSQL that saves a round trip, which costs a fifth of a
    ticket read. For a request signed with a bearer token, the guard then leaves the token
    to the view (`unchecked_bearer_token`), which must pass what it found to
    `accept_caller` before doing anything else; `settle_caller` checks the token of a
    request that failed before its view could."""
    view.finds_caller_itself = True  # type: ignore[attr-defined]
    return view


def _view_finds_caller() -> bool:
    # flask-openapi3 wraps each view with functools.wraps, which copies the mark.
    view = current_app.view_functions.get(request.endpoint or "")
    return request.method in SAFE_METHODS and getattr(view, "finds_caller_itself", False)


def unchecked_bearer_token() -> str | None:
    """The bearer token a view that finds who is asking itself has yet to check, if any."""
    return None if "user" in g else g.get("bearer_token")


def settle_caller(response: Response) -> Response:
    """After every request: the answer to one whose bearer token was left to its view but
    never checked (its parameters failed validation before the view ran) is 401 when the
    token is not good, as it would have been had the guard checked it first."""
    token = unchecked_bearer_token()
    # A 5xx tells nothing of what was asked for, and looking up again on a database that
    # failed the view would only make the answer later.
    if token is None or response.status_code >= 500:
        return response
    try:
        accept_bearer_token(token)
    except (Unauthenticated, NotAllowed) as error:
        return problems.domain_problem(error)
    except (DBAPIError, PoolTimeout):
        return problems.unavailable()
    return response


def check_same_origin() -> None:
    """Refuse writes that a browser says come from another site."""
    origin = request.headers.get("Origin")
    if origin is not None:
        if urlsplit(origin).netloc != request.host:
            raise NotAllowed("cross-origin request refused")
    elif request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        raise NotAllowed("cross-site request refused")


def _check_csrf(expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER, "")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise NotAllowed(f"missing or wrong {CSRF_HEADER} header")


@dataclass(frozen=True)
class _Allowed:
    """Who a route's guard lets in, checked as its caller is accepted (`accept_caller`)."""

    lets_in: Callable[[Caller], bool]
    refusal: str


_AGENTS = _Allowed(lambda caller: caller.is_agent, "this is for agents and admins only")
_ADMINS = _Allowed(lambda caller: caller.role == "admin", "this is for admins only")


def require_agent() -> None:
    g.caller_allowed = _AGENTS
    authenticate()


def require_admin() -> None:
    g.caller_allowed = _ADMINS
    authenticate()
