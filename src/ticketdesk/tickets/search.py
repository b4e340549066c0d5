"""Text search: tickets whose title or description contains some text, ignoring case.

A substring cannot be found in a b-tree, so each database gets a trigram index. PostgreSQL
keeps each ticket's title and description in lower case in `search_text` (migration 0106),
which `LIKE lower('%text%')` reads through a pg_trgm GIN index, and reads faster than
`ILIKE` reads the two columns, which it lowers at each ticket. SQLite has an FTS5 table with
the trigram tokenizer over the two columns, in a file of its own that
`ticketdesk.sqlite_search` keeps up to date off the request path (migration 0102). A quoted
FTS5 phrase is a run of consecutive trigrams, that is a substring of one column, so it finds
what `ILIKE` finds; its case folding covers all of Unicode, as PostgreSQL's does in a UTF-8
locale. Text shorter than a trigram has nothing to look up and is matched by reading every
ticket.

SQLite's index lags the tickets by up to a batch: a search takes the index's matches but for
the tickets logged as changed since its last batch, and checks those few (and, while the
index is unbuilt, every ticket) with `sqlite_search.contains`. The condition is
`id IN (those)`, not a join with the FTS5 table: joined, SQLite may walk another index (a
category of 80,000 tickets) and query FTS5 once per row, which took 18 s at a million
tickets where the IN list takes 0.1 s. A search narrowed to few tickets, such as a
requester's own, checks each of them instead (`each_checked`): the IN list holds every match.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import product
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    Boolean,
    ColumnElement,
    CompoundSelect,
    Connection,
    Integer,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    column,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from ticketdesk import sqlite_search
from ticketdesk.analytics import indexes
from ticketdesk.errors import Unavailable
from ticketdesk.tickets.models import Ticket

# Migrations 0101 and 0106 create these outside the models (autogenerate is told to look
# away): PostgreSQL's lower-case copy of each ticket's text, and its trigram index.
SEARCH_TEXT_COLUMN = "search_text"
TRIGRAM_INDEXES = ("ix_tickets_search_text_trgm",)
TRIGRAM = 3
# What joins the title to the description in `search_text`. A text that holds it could be
# found across the two; for such a text each column is also checked apart (`SPANS`).
SEARCH_TEXT_JOIN = "\n"
# Not a column of the `Ticket` model, which the other database does not have: named as SQL,
# it is only ever in a statement that reads `tickets` under its own name.
_search_text = literal_column(f"tickets.{SEARCH_TEXT_COLUMN}", Text)

_search = table(
    sqlite_search.INDEX_TABLE,
    column("rowid", Integer),
    column(sqlite_search.INDEX_TABLE),
    schema=sqlite_search.SCHEMA,
)
_state = table(
    sqlite_search.STATE_TABLE, column("indexed_through", Integer), schema=sqlite_search.SCHEMA
)
_log = table(sqlite_search.LOG_TABLE, column("seq", Integer), column("ticket_id", Integer))
_pg_indexes = table("pg_indexes", column("schemaname"), column("indexname"), column("indexdef"))


# A search's statements bind its text under these names (`text_values`): they are built
# once for each shape of search and run for any text.
PHRASE = "search_phrase"  # an FTS5 phrase (SQLite)
FOLDED = "search_folded"  # the text in lower case, for `ticketdesk_contains` (SQLite)
PATTERN = "search_pattern"  # a LIKE pattern, lowered by PostgreSQL (PostgreSQL)
GIVEN = "search_given"  # the text as given, for PostgreSQL to lower (PostgreSQL)
SPANS = "search_spans"  # whether the text holds `SEARCH_TEXT_JOIN` (PostgreSQL)
VARIANT = "search_variant_"  # a LIKE pattern for each case of a short text (SQLite)


def looked_up(text: str) -> bool:
    """Whether `text` is looked up in a trigram index (shorter text is compared with every
    ticket)."""
    return len(text) >= TRIGRAM


def text_values(text: str) -> dict[str, Any]:
    """What a search's statements bind for `text`: its phrase, folded text, pattern and, if
    too short for a trigram, a pattern for each of its cases."""
    values = {
        PHRASE: '"' + text.replace('"', '""') + '"',  # inside quotes FTS5 syntax is plain text
        FOLDED: text.lower(),
        PATTERN: _pattern(text),
        GIVEN: text,
        SPANS: SEARCH_TEXT_JOIN in text,
    }
    if not looked_up(text):
        for number, variant in enumerate(_case_variants(text)):
            values[f"{VARIANT}{number}"] = _pattern(variant)
    return values


def case_variants(text: str, *, dialect: str) -> int:
    """How many LIKE patterns `text` is matched by: on SQLite, text too short for the index
    is tried in each case of its letters beyond ASCII, which SQLite's LIKE does not fold; 0
    for text found otherwise. Part of a search's shape (see `narrowed`)."""
    if dialect != "sqlite" or looked_up(text):
        return 0
    return len(_case_variants(text))


def narrowed(
    query: Select[Ticket], *, dialect: str, variants: int = 0, walk: bool = False
) -> Select[Ticket]:
    """`query` narrowed to tickets with the text (`text_values`) in their title or
    description, any case: through the index on SQLite, or with `variants` LIKE patterns
    (`case_variants`) for text too short for it. With `walk` (SQLite, indexed), a page is to
    be found by walking the tickets in the page's order and keeping the matches, rather than
    by looking up every match and sorting them all (see `walk_pays_from`)."""
    if dialect == "sqlite" and not variants:
        ids = _walked_id() if walk else Ticket.id
        return query.where(ids.in_(sqlite_matches()))
    if dialect == "sqlite":
        # SQLite's LIKE folds ASCII only: try each other case of the (at most two) letters.
        patterns = [bindparam(f"{VARIANT}{number}", type_=String) for number in range(variants)]
        return query.where(or_(*map(_contains, patterns)))
    return query.where(_in_search_text(indexed=True))


# Up to this many tickets, a search narrowed to them (a requester's own, an agent's filters)
# checks each of them for its text, rather than taking the index's matches: those are all
# read however few of them are among the tickets. At a million tickets, a requester's search
# on SQLite for a word one ticket in eight holds took 137 ms through the index and 2 ms
# checking their 250 tickets; a check costs about 1.6 us a ticket, so 2,000 checks cost about
# what a rare text's look-up does. PostgreSQL, left to choose, chose the index for some words
# (see `each_checked`).
CHECK_EACH_UP_TO = 2_000


# A search counts its matches no further than this many (or than the page asked for, when
# that lies further): past it the total is a lower bound, and the response says so. An
# agent refines a search that finds hundreds of tickets rather than pages through them (20
# pages of 25 here). A word one ticket in eight holds matches 129,000 tickets of a million,
# and counting them all was most of such a search's time (on PostgreSQL 425 ms, against
# 11 ms for the first thousand). Even the first thousand were: PostgreSQL reads tickets
# until it has found them, some 7,700 for such a word, so an agent's search cost it 3.4-4.5
# ms counting to 1,000 against 2.0-2.3 counting to 500 (bench/RESULTS.md, session 26).
COUNT_UP_TO = 500


def counted_up_to(ids: Select[Any], limit: int | BindParameter[int]) -> Select[int]:
    """How many rows `ids` selects, counted no further than `limit`."""
    return select(func.count()).select_from(ids.order_by(None).limit(limit).subquery())


def first_matches(limit: BindParameter[int]) -> Select[int]:
    """The ids of the first `limit` tickets holding the text (`sqlite_matches`), oldest
    first, as the index keeps them (read newest first, they cost half as much again). With
    every match among them, a page is found among these; with more, how far they reach says
    about how many there are (see `matches_estimated`)."""
    first = sqlite_matches().order_by(literal_column("1")).limit(limit).subquery()
    (match_id,) = first.c
    return select(match_id)


MATCH_IDS = "match_ids"


def among(query: Select[Ticket], *, dialect: str) -> Select[Ticket]:
    """`query` narrowed to the tickets named by `MATCH_IDS`, bound as one value (`listed`):
    a list of many values would need a parameter each, and SQLite takes at most 32,766. On
    SQLite a JSON array for `json_each`, on PostgreSQL an array for `= ANY`."""
    if dialect == "sqlite":
        listed_ids = func.json_each(bindparam(MATCH_IDS)).table_valued("value")
        return query.where(Ticket.id.in_(select(listed_ids.c.value)))
    return query.where(Ticket.id == any_(bindparam(MATCH_IDS, type_=ARRAY(Integer))))


def listed(match_ids: list[int], *, dialect: str) -> dict[str, Any]:
    """The value `among` binds for `match_ids`."""
    return {MATCH_IDS: json.dumps(match_ids) if dialect == "sqlite" else match_ids}


def matches_estimated(*, counted: int, farthest: int, newest_id: int) -> int:
    """How many tickets hold a text, estimated from the `counted` oldest of them, which
    reach as far as id `farthest`: as many again in each stretch of as many ids. Counted
    from the index, matches cost about 0.5 us each, so a common word's 129,000 at a million
    tickets are not counted to decide how to find its page (the first 14,144 took 8.7 ms,
    against 2.6 ms for the first 1,001 and how far they reach)."""
    return counted * newest_id // max(farthest, 1)


def each_checked(query: Select[Ticket], *, dialect: str) -> Select[Ticket]:
    """`query` narrowed to the tickets holding the text, each read and checked: for a query
    that selects few tickets (see `CHECK_EACH_UP_TO`), or a walk that meets many matches
    (see `checking_pays_from`, SQLite). On PostgreSQL no index answers the check, so the
    planner reads the few tickets rather than every match the trigram index holds: for a
    requester's 227 tickets and a word 129,000 tickets hold, at a million, 40 ms through the
    index against 1 ms."""
    if dialect == "postgresql":
        return query.where(_in_search_text(indexed=False))
    return query.where(_holds())


def _walked_id() -> ColumnElement[int]:
    """The ticket id for an `IN` test made at each step of a walk in the page's order: `+ 0`
    keeps SQLite from driving the query by the `IN` list instead."""
    return Ticket.id + literal_column("0")


def _holds() -> ColumnElement[bool]:
    folded = bindparam(FOLDED, type_=String)
    return func.ticketdesk_contains(Ticket.title, Ticket.description, folded)


def checking_pays_from(*, rows: int, newest_id: int) -> int:
    """How many matches a search must have for a walk to find its first `rows` sooner by
    checking each ticket it passes for the text (`each_checked`, about 4 us a step with the
    ticket's row read), than by testing each against every match, all read first (about
    0.3-0.7 us a match): at a million tickets, a word one ticket in eight holds took 1.5 ms
    to walk checked and 33-86 ms against its matches."""
    return math.isqrt(8 * rows * newest_id) + 1


def checked_walk_windows(*, rows: int, newest_id: int, matches: int) -> list[int]:
    """How many tickets a checked walk reads at most before it gives up, the page unfilled,
    tried in turn: four times what `matches` spread evenly over the tickets would take, then
    eight times as many again while that costs less than the walk testing each ticket
    against every match (about 4 us a ticket checked, against 0.5-0.7 us a match: so about
    `matches` / 8 tickets). Matches bunched in old tickets (a product renamed years ago)
    would otherwise make it read them all; a word rarer among the newest tickets than
    overall fills a first page in the wider window, walked on from where the narrower
    stopped (at a million tickets, 5 of the benchmark's
    31 words after its own creates: 66-124 ms with the first window alone)."""
    windows = [4 * rows * newest_id // max(matches, 1) + rows]
    while windows[-1] * 8 <= matches // 8:
        windows.append(windows[-1] * 8)
    return windows


def walk_pays_from(*, rows: int, newest_id: int) -> int:
    """How many matches a search must have for its first `rows` (in an order an index gives)
    to be found sooner on SQLite by walking that index and keeping the matches, than by
    looking up every match and sorting them. At a million tickets a match cost about 0.5 us
    to look up and sort, a step of the walk 0.06 us, and a walk takes about rows x tickets /
    matches steps: for "vpn", 135,000 matches, a page took 92 ms sorted and 12 ms walked;
    for a text that two tickets hold, 6 ms sorted and 62 ms walked."""
    return math.isqrt(rows * newest_id // 8) + 1


def sqlite_matches() -> CompoundSelect[tuple[int]]:
    """The ids of the tickets holding the text, each once: the index's matches, but for
    tickets changed since its last batch, which are checked one by one (as is every ticket
    while the index is unbuilt). An agent's search narrowed by nothing else counts these as
    they are: counted as tickets, each match was looked up in `tickets` only to be found
    there (at a million tickets, 156-199 ms for a word one ticket in eight holds, against
    68-76 ms)."""
    indexed_through = select(_state.c.indexed_through).scalar_subquery()
    changed_since = select(_log.c.ticket_id).where(_log.c.seq > indexed_through)
    holds_text = _holds()
    unbuilt = indexed_through == sqlite_search.UNBUILT
    # Each part is read or skipped whole with a LIMIT (all: -1, none: 0), which SQLite tests
    # before its loop, where a condition on no table in the WHERE clause (the subquery)
    # would be tested at each ticket, a read of the whole table. While the index is unbuilt,
    # every ticket is checked, and the changed ones are not checked twice.
    changed = (
        select(Ticket.id)
        .where(Ticket.id.in_(changed_since), holds_text)
        .limit(case((unbuilt, 0), else_=-1))
        .subquery()
    )
    every_ticket = (
        select(Ticket.id).where(holds_text).limit(case((unbuilt, -1), else_=0)).subquery()
    )
    return union_all(
        select(_search.c.rowid).where(
            _search.c[sqlite_search.INDEX_TABLE].match(bindparam(PHRASE, type_=String)),
            _search.c.rowid.not_in(changed_since),
        ),
        select(changed.c.id),
        select(every_ticket.c.id),
    )


@contextmanager
def index_checked(session: Session) -> Iterator[None]:
    """Run a search: if SQLite finds its index damaged, the index is set aside to be rebuilt
    and the search answers 503 (the next one reads every ticket until the index is back),
    rather than every search failing with a 500 until someone notices."""
    try:
        yield
    except DatabaseError as error:
        path = _sqlite_file_of(session)
        if path is None or not sqlite_search.set_aside_if_damaged(path, error.orig):
            raise
        raise Unavailable("the search index was damaged and is being rebuilt; try again") from error


@contextmanager
def planned_for_its_values(session: Session) -> Iterator[None]:
    """Run a search's statements on PostgreSQL unprepared, each planned for its own values.

    psycopg prepares a statement from its fifth run on a connection, and PostgreSQL may then
    keep one plan for every value. For a requester's search at a million tickets that plan
    read the trigram indexes for the text, 28 ms a page, where the plan for the requester's
    own tickets takes 0.8 ms (bench/RESULTS.md, session 16). A search's own planning costs
    little beside what it reads.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    driver: Any = session.connection().connection.dbapi_connection
    kept = driver.prepare_threshold
    driver.prepare_threshold = None  # psycopg: never prepare
    try:
        yield
    finally:
        driver.prepare_threshold = kept


def _sqlite_file_of(session: Session) -> str | None:
    if session.get_bind().dialect.name != "sqlite":
        return None  # nothing run: a PostgreSQL transaction may have been aborted by the error
    databases = session.connection().exec_driver_sql("PRAGMA database_list")
    return next((str(file) for _seq, name, file in databases if name == "main" and file), None)


def _pattern(text: str) -> str:
    return "%" + _escape_like(text) + "%"


def _in_search_text(*, indexed: bool) -> ColumnElement[bool]:
    """Whether a ticket's `search_text` holds the text (PostgreSQL): what `ILIKE` on its
    title or description finds. With `indexed`, a `LIKE` that the trigram index answers;
    otherwise `strpos`, which it does not. The text is lowered by PostgreSQL, as `ILIKE`
    lowers it, since Python folds some characters otherwise (a search is planned for its
    values, so that happens once)."""
    pattern = bindparam(PATTERN, type_=String)
    held: ColumnElement[bool]
    if indexed:
        held = _search_text.like(func.lower(pattern), escape="\\")
    else:
        held = func.strpos(_search_text, func.lower(bindparam(GIVEN, type_=String))) > 0
    return and_(held, or_(not_(bindparam(SPANS, type_=Boolean)), _contains(pattern)))


def _contains(pattern: BindParameter[str]) -> ColumnElement[bool]:
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
    """The search's tables and triggers' log (FTS5's shadow tables too, before migration
    0102), PostgreSQL's `search_text` and the trigram indexes, which the migrations manage
    and the models do not describe."""
    prefix = sqlite_search.INDEX_TABLE
    if kind == "table":
        return name is not None and (name == prefix or name.startswith(prefix + "_"))
    if kind == "column":
        return name == SEARCH_TEXT_COLUMN
    return kind == "index" and name in TRIGRAM_INDEXES


@contextmanager
def bulk_load(connection: Connection, *, rows: int) -> Iterator[None]:
    """Tickets inserted inside (inserted only: no updates or deletes) are indexed for search
    as cheaply as each database allows.

    On PostgreSQL the trigram indexes are built afresh after a load at least as big as the
    table (the rule `analytics.indexes.deferred_indexes` follows, since dropping an index
    locks out readers until commit): 30 s at a million rows, against 70 s more for the COPY
    when they are kept up to date. On SQLite the triggers only log the new tickets' ids, and
    `sqlite_search` indexes them afterwards (rebuilding the index when the load is bigger
    than what it holds).
    """
    big = rows >= indexes.WORTH_IT
    if connection.dialect.name == "postgresql" and big and _tickets_in(connection) <= rows:
        with _trigram_indexes_rebuilt(connection):
            yield
        return
    yield


@contextmanager
def _trigram_indexes_rebuilt(connection: Connection) -> Iterator[None]:
    definitions = connection.execute(
        select(_pg_indexes.c.indexname, _pg_indexes.c.indexdef)
        .where(
            _pg_indexes.c.schemaname == func.current_schema(),
            _pg_indexes.c.indexname.in_(TRIGRAM_INDEXES),
        )
        .order_by(_pg_indexes.c.indexname)
    ).all()
    for name, _definition in definitions:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, definition in definitions:
        connection.exec_driver_sql(definition)


def _tickets_in(connection: Connection) -> int:
    return connection.scalar(select(func.count()).select_from(Ticket)) or 0
