"""Domain exceptions. Services raise these; the HTTP layer maps them to statuses in one table."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it (the two look the same)."""


class NotAllowed(DomainError):
    """The caller is known but their role does not permit the action."""


class InvalidTransition(DomainError):
    """A status change the workflow does not allow."""


class InvalidValue(DomainError):
    """A value that is well-formed but not acceptable (unknown user, forbidden field...)."""


class Conflict(DomainError):
    """The action collides with existing data (duplicate email, concurrent write)."""


class StaleVersion(DomainError):
    """The client's If-Match no longer names the current version."""


class Unavailable(DomainError):
    """A dependency (the database) cannot be reached right now."""


class Unauthenticated(DomainError):
    """No valid credentials came with the request."""


class RateLimited(DomainError):
    """Too many attempts; `retry_after` seconds until the next one may succeed."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
