"""Browser sign-in: `POST/GET/DELETE /api/session`, a cookie session with a CSRF token."""

from __future__ import annotations

from typing import Annotated

from flask import Response, g, jsonify, request
from pydantic import BaseModel, ConfigDict, StringConstraints

from ticketdesk.accounts import throttle
from ticketdesk.accounts.schemas import UserOut
from ticketdesk.accounts.service import authenticate as check_password
from ticketdesk.accounts.web_sessions import LIFETIME, end_session, start_session
from ticketdesk.errors import Unauthenticated
from ticketdesk.web.context import current_user, db_session
from ticketdesk.web.guards import SESSION_COOKIE, authenticate, check_same_origin
from ticketdesk.web.openapi import BEARER, api_blueprint, errors

bp = api_blueprint(
    "session",
    url_prefix="/api/session",
    tag="session",
    guard=None,
    description="browser sign-in with a cookie",
)
WRONG_CREDENTIALS = "wrong email or password"


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str | None = None


def _session_body(csrf_token: str | None) -> dict[str, object]:
    out = SessionOut(user=UserOut.model_validate(current_user()), csrf_token=csrf_token)
    return out.model_dump(mode="json")


@bp.post("", responses={200: SessionOut, **errors(403, 429)}, security=[])
def sign_in(body: SignIn) -> Response:
    """Sign in; sets the session cookie and returns the CSRF token for later writes."""
    check_same_origin()  # no logging a victim's browser into the attacker's account
    session = db_session()
    ip = request.remote_addr or "unknown"
    throttle.check_allowed(session, email=body.email, ip=ip)
    user = check_password(session, email=body.email, password=body.password)
    if user is None:
        throttle.record_failure(session, email=body.email, ip=ip)
        session.commit()
        raise Unauthenticated(WRONG_CREDENTIALS)
    throttle.clear_failures(session, email=body.email)
    if SESSION_COOKIE in request.cookies:  # a new id at every sign-in (no fixation)
        end_session(session, request.cookies[SESSION_COOKIE])
    web_session, secret = start_session(session, user=user)
    session.commit()
    g.user = user
    response = jsonify(_session_body(web_session.csrf_token))
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        secure=request.is_secure,
        samesite="Lax",
        path="/",
    )
    return response


@bp.get("", responses={200: SessionOut}, security=BEARER)
def who_am_i() -> Response:
    """The signed-in user, and the session's CSRF token (null for bearer tokens)."""
    authenticate()
    web_session = g.get("web_session")
    return jsonify(_session_body(web_session.csrf_token if web_session else None))


@bp.delete("", responses={204: None, **errors(403)}, security=BEARER)
def sign_out() -> Response:
    """End the cookie session on the server and clear the cookie."""
    authenticate()
    if g.get("web_session") is not None:
        session = db_session()
        end_session(session, request.cookies[SESSION_COOKIE])
        session.commit()
    response = Response(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")
    return response
