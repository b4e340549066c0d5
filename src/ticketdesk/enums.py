"""Choice sets shared by models, schemas and the workflow."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    ADMIN = "admin"


# Agents and admins work tickets; requesters only open and follow their own.
AGENT_ROLES = frozenset({Role.AGENT, Role.ADMIN})


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}
ACTIVE_STATUSES = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.WAITING})
