"""Text search: tickets whose title or description contains some text, ignoring case.

A substring cannot be found in a b-tree, so each database gets a trigram index (migration
0101): pg_trgm GIN indexes on PostgreSQL, which `ILIKE '%text%'` uses as it is, and on
SQLite an FTS5 table with the trigram tokenizer over the two columns, kept up to date by
triggers on `tickets`. A quoted FTS5 phrase is a run of consecutive trigrams, that is a
substring, so both find exactly what `ILIKE` finds; both fold case beyond ASCII. Text shorter
than a trigram has nothing to look up and is matched by reading every ticket.
"""

from __future__ import annotations

from itertools import product

from sqlalchemy import ColumnElement, Integer, Select, column, or_, select, table

from ticketdesk.tickets.models import Ticket

SEARCH_TABLE = "ticket_search"
# Migration 0101 creates these outside the models (autogenerate is told to look away).
TRIGRAM_INDEXES = ("ix_tickets_title_trgm", "ix_tickets_description_trgm")
TRIGRAM = 3

_search = table(SEARCH_TABLE, column("rowid", Integer), column(SEARCH_TABLE))


def narrowed(query: Select[Ticket], text: str, *, dialect: str) -> Select[Ticket]:
    """`query` narrowed to tickets with `text` in their title or description, any case."""
    if dialect == "sqlite" and len(text) >= TRIGRAM:
        return query.where(Ticket.id.in_(_phrase_matches(text)))
    if dialect == "sqlite":
        # SQLite's LIKE folds ASCII only: try each other case of the (at most two) letters.
        return query.where(or_(*(_contains(variant) for variant in _case_variants(text))))
    return query.where(_contains(text))


def _phrase_matches(text: str) -> Select[tuple[int]]:
    phrase = '"' + text.replace('"', '""') + '"'  # inside quotes FTS5 syntax is plain text
    return select(_search.c.rowid).where(_search.c[SEARCH_TABLE].match(phrase))


def _contains(text: str) -> ColumnElement[bool]:
    pattern = "%" + _escape_like(text) + "%"
    return or_(
        Ticket.title.ilike(pattern, escape="\\"),
        Ticket.description.ilike(pattern, escape="\\"),
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _case_variants(text: str) -> list[str]:
    """`text` with each character in each of its one-character cases: 'üb' → üb, Üb (ASCII
    letters are left to LIKE)."""
    choices = [
        sorted({char, *(other for other in (char.lower(), char.upper()) if len(other) == 1)})
        if not char.isascii()
        else [char]
        for char in text
    ]
    return ["".join(chars) for chars in product(*choices)]


def is_search_object(name: str | None, kind: str) -> bool:
    """The FTS5 table (and its shadow tables) and the trigram indexes, which the migration
    manages and the models do not describe."""
    if kind == "table":
        return name is not None and (name == SEARCH_TABLE or name.startswith(SEARCH_TABLE + "_"))
    return kind == "index" and name in TRIGRAM_INDEXES
