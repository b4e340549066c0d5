"""Aggregate tables kept up to date as tickets change, so that no figure reads every ticket.

Every table here is derived: `rebuild.rebuild_all` recomputes all of them from the tickets,
comments and users, and `aggregates` applies each ticket change to them in the same
transaction. A ticket's *resolution* is the moment it left the backlog: resolved_at, or
closed_at when it was closed without being resolved; reopening a ticket takes it back out.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ticketdesk.db import Base, UTCDateTime, enum_column
from ticketdesk.enums import Status

# SQLite keeps a counter table's rows in its key's B-tree, in the key's order, with no
# rowid table beside it (migration 0103): read in key ranges, written at every change.
CLUSTERED = {"sqlite_with_rowid": False}


def changes_column() -> Mapped[int]:
    """How many committed changes have written the row (`analytics.changes`), on the
    roll-ups that every change of a kind writes. Never less than one: a row exists because
    something wrote it, and so a table's sum is zero only when the table is empty."""
    return mapped_column(BigInteger, default=1, server_default="1")


class OpenedCount(Base):
    """How many tickets opened on `day` (UTC) in `category` are now in `status`."""

    __tablename__ = "analytics_opened"
    __table_args__ = CLUSTERED

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "analytics_opened_status"), primary_key=True
    )
    tickets: Mapped[int] = mapped_column(Integer, default=0)


class OpenedMonth(Base):
    """How many tickets of `category` opened in the month starting `month` (UTC), whatever
    their status now: what the volume by month reads (a year is 12 rows a category, where
    `OpenedCount` holds a few thousand). Written when a ticket opens or changes category,
    not when its status changes."""

    __tablename__ = "analytics_opened_months"
    __table_args__ = CLUSTERED

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0)


class ResolvedDay(Base):
    """Tickets of `category` resolved on `day` (UTC), and their resolution times summed."""

    __tablename__ = "analytics_resolved"
    __table_args__ = CLUSTERED

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class ResolvedMonth(Base):
    """`ResolvedDay` by month: what the figures over whole months read (a few hundred rows
    at a million tickets, where the days are thousands)."""

    __tablename__ = "analytics_resolved_months"
    __table_args__ = CLUSTERED

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    changes: Mapped[int] = changes_column()


class Resolution(Base):
    """One row per resolved (or closed) ticket: the per-ticket list, by resolution time."""

    __tablename__ = "analytics_resolutions"
    __table_args__ = (
        Index("ix_analytics_resolutions_resolved_at", "resolved_at", "ticket_id"),
        Index("ix_analytics_resolutions_category", "category", "resolved_at", "ticket_id"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    category: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float)
    bucket: Mapped[int] = mapped_column(Integer)


class ResolutionBucket(Base):
    """A histogram of resolution times per month resolved and category (see `buckets`)."""

    __tablename__ = "analytics_resolution_buckets"
    __table_args__ = CLUSTERED

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0)


class FirstResponse(Base):
    """When a ticket got its first public comment from an agent or admin."""

    __tablename__ = "analytics_first_responses"
    __table_args__ = (
        Index("ix_analytics_first_responses_responded_at", "responded_at", "ticket_id"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    category: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seconds: Mapped[float] = mapped_column(Float)
    bucket: Mapped[int] = mapped_column(Integer)


class FirstResponseBucket(Base):
    """A histogram of first-response times per month responded and category."""

    __tablename__ = "analytics_first_response_buckets"
    __table_args__ = CLUSTERED

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0)


# Roll-ups of the tables above for the questions asked without a range or a category, so
# that those read a few hundred rows whatever the length of the history.


class StatusCount(Base):
    """How many tickets of `category` are now in `status` (over all time)."""

    __tablename__ = "analytics_status_counts"
    __table_args__ = CLUSTERED

    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[Status] = mapped_column(
        enum_column(Status, "analytics_status_counts_status"), primary_key=True
    )
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = changes_column()


class ResolutionTotal(Base):
    """The resolution-time histogram of `category` over all time."""

    __tablename__ = "analytics_resolution_totals"
    __table_args__ = CLUSTERED

    category: Mapped[str] = mapped_column(String(100), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0)


class FirstResponseMonth(Base):
    """The first-response histogram of every category together, per month."""

    __tablename__ = "analytics_first_response_months"
    __table_args__ = CLUSTERED

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tickets: Mapped[int] = mapped_column(BigInteger, default=0)
    changes: Mapped[int] = changes_column()
