"""Sign-in throttling, kept in the database so every worker and server agrees."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ticketdesk.accounts.models import LoginFailure
from ticketdesk.db import utcnow
from ticketdesk.errors import RateLimited

WINDOW = timedelta(minutes=15)
# Per address: a person mistyping gets several tries; a guesser gets few per window.
MAX_FAILURES_PER_EMAIL = 5
# Per client address: spraying one password over many accounts.
MAX_FAILURES_PER_IP = 30


def _keys(email: str, ip: str) -> dict[str, int]:
    return {
        f"email:{email.strip().lower()}": MAX_FAILURES_PER_EMAIL,
        f"ip:{ip}": MAX_FAILURES_PER_IP,
    }


def check_allowed(session: Session, *, email: str, ip: str, now: datetime | None = None) -> None:
    """Raise RateLimited (with the seconds to wait) when this email or address is locked out."""
    now = now or utcnow()
    since = now - WINDOW
    for key, limit in _keys(email, ip).items():
        count, oldest = session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.failed_at)).where(
                LoginFailure.key == key, LoginFailure.failed_at > since
            )
        ).one()
        if count >= limit and oldest is not None:
            retry_after = max(1, math.ceil((oldest + WINDOW - now).total_seconds()))
            raise RateLimited(
                "too many failed sign-in attempts; try again later", retry_after=retry_after
            )


def record_failure(session: Session, *, email: str, ip: str, now: datetime | None = None) -> None:
    now = now or utcnow()
    session.add_all(LoginFailure(key=key, failed_at=now) for key in _keys(email, ip))
    # Keep the table small: what is outside every window can go.
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - WINDOW))


def clear_failures(session: Session, *, email: str) -> None:
    session.execute(
        delete(LoginFailure).where(LoginFailure.key == f"email:{email.strip().lower()}")
    )
