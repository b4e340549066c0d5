"""Who acts on the desk: what the services need to know of a person, and the request's caller."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Protocol

from ticketdesk.accounts.models import User
from ticketdesk.enums import AGENT_ROLES, Role


class Actor(Protocol):
    """A person acting: a mapped `User` (the demo, imports, tests) or a request's `Caller`."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> Role: ...

    @property
    def is_agent(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Caller:
    """The active user a request authenticated as, read once by one Core statement.

    A plain value rather than a row of the request's session: loading a mapped `User` per
    request cost more than the ticket the request came for. Anything that changes a user
    loads the `User` by `id`.
    """

    id: int
    email: str
    name: str
    role: Role
    is_active: bool
    created_at: datetime

    @property
    def is_agent(self) -> bool:
        return self.role in AGENT_ROLES

    @classmethod
    def of(cls, user: User) -> Caller:
        return cls(**{field.name: getattr(user, field.name) for field in fields(cls)})
