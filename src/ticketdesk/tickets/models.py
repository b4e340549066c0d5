from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ticketdesk.accounts.models import User
from ticketdesk.db import Base, UTCDateTime, enum_column, utcnow
from ticketdesk.enums import Priority, Status

DEFAULT_CATEGORY = "general"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # A queue: active statuses of a category, newest first; counted and paged from the
        # index alone, id included so PostgreSQL can too (see bench/RESULTS.md, "HTTP load").
        Index("ix_tickets_status_category_opened_at", "status", "category", "opened_at", "id"),
        # The backlog by age: tickets in some statuses opened since a date (analytics).
        Index("ix_tickets_status_opened_at", "status", "opened_at", "id"),
        # Text search (title, description) has trigram indexes of its own, which differ by
        # database and live outside the models: see ticketdesk.tickets.search.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(enum_column(Status, "ticket_status"))
    category: Mapped[str] = mapped_column(String(100), index=True, default=DEFAULT_CATEGORY)
    priority: Mapped[Priority] = mapped_column(
        enum_column(Priority, "ticket_priority"), default=Priority.NORMAL
    )
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic concurrency: every UPDATE checks and bumps it, and it is the ETag.
    version: Mapped[int] = mapped_column(default=1)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="raise")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="raise")

    __mapper_args__ = {"version_id_col": version}


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content: Mapped[str] = mapped_column(Text)
    # Internal notes are for agents only; requesters never see them.
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")


class TicketChange(Base):
    """One field of one ticket changed by someone at some time: the audit trail."""

    __tablename__ = "ticket_changes"
    __table_args__ = (Index("ix_ticket_changes_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="raise")
