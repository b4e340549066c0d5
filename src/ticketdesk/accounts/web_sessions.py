"""Browser sessions: created at sign-in, looked up per request, ended at sign-out."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ticketdesk.accounts.models import User, WebSession
from ticketdesk.db import utcnow

LIFETIME = timedelta(days=7)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(
    session: Session, *, user: User, now: datetime | None = None
) -> tuple[WebSession, str]:
    """A new session for `user`: the row and the secret for the cookie (never stored)."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    web_session = WebSession(
        secret_hash=_hash(secret),
        user=user,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(web_session)
    session.flush()
    return web_session, secret


def find_session(
    session: Session, secret: str, *, now: datetime | None = None
) -> WebSession | None:
    """The live session a cookie secret belongs to, if its user is still active."""
    web_session = session.scalars(
        select(WebSession).where(
            WebSession.secret_hash == _hash(secret), WebSession.expires_at > (now or utcnow())
        )
    ).one_or_none()
    if web_session is None or not web_session.user.is_active:
        return None
    return web_session


def end_session(session: Session, secret: str) -> None:
    session.execute(delete(WebSession).where(WebSession.secret_hash == _hash(secret)))


def end_expired_sessions(session: Session, *, now: datetime | None = None) -> None:
    session.execute(delete(WebSession).where(WebSession.expires_at <= (now or utcnow())))
