"""User accounts and API tokens over a Session."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import fields

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ticketdesk.accounts.actor import Caller
from ticketdesk.accounts.models import ApiToken, User
from ticketdesk.accounts.passwords import MIN_LENGTH, hash_password, verify_password
from ticketdesk.db import utcnow
from ticketdesk.enums import AGENT_ROLES, Role
from ticketdesk.errors import Conflict, InvalidValue, NotFound
from ticketdesk.precompiled import Precompiled

TOKEN_PREFIX = "td_"  # noqa: S105 - a marker, not a secret


def normalize_email(email: str) -> str:
    return email.strip().lower()


def checked_email(email: str) -> str:
    """The address, normalized, if it is one we can write to; else InvalidValue."""
    try:
        address = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidValue(f"not a usable email address: {error}", field="email") from error
    return normalize_email(address.normalized)


def find_user(session: Session, *, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalize_email(email))).one_or_none()


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    name: str | None = None,
    password: str | None = None,
) -> User:
    email = checked_email(email)
    if find_user(session, email=email) is not None:
        raise Conflict(f"a user with email {email} already exists", field="email")
    user = User(
        email=email,
        name=name or email.split("@", 1)[0],
        role=role,
        password_hash=_checked_hash(password) if password is not None else None,
        is_active=True,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    *,
    user_id: int,
    name: str | None = None,
    role: Role | None = None,
    is_active: bool | None = None,
    password: str | None = None,
) -> User:
    user = get_user(session, user_id=user_id)
    if name is not None:
        user.name = name
    if role is not None:
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if password is not None:
        user.password_hash = _checked_hash(password)
    session.flush()
    return user


def _checked_hash(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidValue(
            f"password must be at least {MIN_LENGTH} characters long", field="password"
        )
    return hash_password(password)


def list_users(session: Session, *, offset: int = 0, limit: int = 25) -> tuple[list[User], int]:
    total = session.scalar(select(func.count(User.id))) or 0
    page = session.scalars(select(User).order_by(User.id).offset(offset).limit(limit))
    return list(page), total


def list_agents(session: Session) -> list[User]:
    """Active agents and admins: the people a ticket can be assigned to."""
    return list(
        session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(sorted(AGENT_ROLES)))
            .order_by(User.name, User.id)
        )
    )


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """The active user with this email and password, or None; same cost either way."""
    user = find_user(session, email=email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        return None
    return user


def token_hash(raw_token: str) -> str:
    """What is stored of a token, and looked up by."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def create_token(session: Session, *, user_id: int, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for a user: the row, and the raw token (shown once, never stored)."""
    raw_token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, label=label, token_hash=token_hash(raw_token))
    session.add(token)
    session.flush()
    return token, raw_token


# The `Caller` whose live token hashes to `token_hash` (bound at execution), in its fields'
# order: a statement of its own here, and part of the statement of a view that finds who is
# asking itself (see `guards.finds_caller_itself`).
CALLER_BY_TOKEN = (
    select(*(getattr(User, field.name) for field in fields(Caller)))
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.revoked_at.is_(None),
        User.is_active.is_(True),
    )
)
# Every request signed with a token runs it: built and compiled once (see `precompiled`).
_CALLER_BY_TOKEN = Precompiled(CALLER_BY_TOKEN)


def caller_for_token(session: Session, raw_token: str) -> Caller | None:
    """The active user a live token belongs to, or None."""
    return caller_for_token_hash(session, token_hash(raw_token))


def caller_for_token_hash(session: Session, hashed: str) -> Caller | None:
    row = _CALLER_BY_TOKEN.first(session.connection(), {"token_hash": hashed})
    return None if row is None else Caller(*row)


def list_tokens(session: Session, *, user_id: int | None = None) -> list[ApiToken]:
    """Live tokens, of one user or of everyone."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def revoke_token(session: Session, *, token_id: int, owner_id: int | None = None) -> ApiToken:
    """Revoke a token; with `owner_id`, only one of that user's own tokens."""
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or owner_id not in (None, token.user_id):
        raise NotFound(f"token {token_id} not found")
    token.revoked_at = utcnow()
    session.flush()
    return token


def revoke_raw_token(session: Session, *, raw_token: str) -> ApiToken:
    token = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(raw_token))
    ).one_or_none()
    if token is None:
        raise NotFound("no such token")
    return revoke_token(session, token_id=token.id)
