"""Ticket operations over a Session: create, read, list, update. No HTTP in here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Integer,
    Select,
    Subquery,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from ticketdesk.accounts.actor import Actor, Caller
from ticketdesk.accounts.models import User
from ticketdesk.accounts.service import CALLER_BY_TOKEN, caller_for_token_hash
from ticketdesk.analytics import aggregates
from ticketdesk.analytics.models import StatusCount
from ticketdesk.analytics.service import tickets_now_in, tickets_now_in_query
from ticketdesk.db import utcnow
from ticketdesk.enums import AGENT_ROLES, PRIORITY_RANK, Priority, Status
from ticketdesk.errors import Conflict, InvalidValue, NotFound, StaleVersion
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets import search, workflow
from ticketdesk.tickets.history import change_row, record_change
from ticketdesk.tickets.models import DEFAULT_CATEGORY, Ticket, TicketChange
from ticketdesk.tickets.opening import bind_opening, open_ticket
from ticketdesk.tickets.queue import CATEGORY, STATUS, queue_page
from ticketdesk.tickets.shown import SHOWN, SHOWN_COLUMNS, person, shown, shown_rows, shown_tickets
from ticketdesk.tickets.visibility import viewer_params, visible_tickets_for

TITLE_MAX = 200
EDITABLE_FIELDS = ("title", "description", "category", "priority")
# Requesters may word their ticket but not steer it.
AGENT_ONLY_FIELDS = ("status", "assignee_id")

SORT_KEYS: dict[str, ColumnElement[Any]] = {
    "id": Ticket.id.expression,
    "opened_at": Ticket.opened_at.expression,
    "updated_at": Ticket.updated_at.expression,
    "title": Ticket.title.expression,
    "category": Ticket.category.expression,
    "status": Ticket.status.expression,
    "priority": case(PRIORITY_RANK, value=Ticket.priority),
}
SORT_VALUES = tuple(sorted([*SORT_KEYS, *(f"-{key}" for key in SORT_KEYS)]))


@dataclass(frozen=True)
class Total:
    """How many tickets a list holds: `count`, or with `exact` False more than `count`
    (counting stopped there)."""

    count: int
    exact: bool = True


# A page of a list (tickets as `shown_tickets` gives them) and how many the list holds.
Listed = tuple[list[dict[str, Any]], Total]


@dataclass(frozen=True, kw_only=True)
class TicketFilters:
    """What a ticket list is narrowed to; empty means no narrowing."""

    statuses: Sequence[Status] = ()
    categories: Sequence[str] = ()
    priorities: Sequence[Priority] = ()
    assignee_ids: Sequence[int] = ()
    unassigned: bool = False
    requester_ids: Sequence[int] = ()
    text: str | None = None


def title_from(description: str) -> str:
    """Seed clients send only a description: its first non-blank line becomes the title."""
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return first_line[:TITLE_MAX] or "(no title)"


def read_ticket(session: Session, *, actor: Actor, ticket_id: int) -> dict[str, Any]:
    """One visible ticket as shown (see `shown_tickets`), for reading only."""
    params = {**viewer_params(actor), "ticket_id": ticket_id}
    shown_by_id = _shown_by_id(agent=actor.is_agent)
    found = shown_rows(shown_by_id.columns, shown_by_id.rows(session.connection(), params))
    if not found:
        raise NotFound(f"ticket {ticket_id} not found")
    return found[0]


@cache
def _shown_by_id(*, agent: bool) -> Precompiled:
    return Precompiled(shown(visible_id(agent=agent)))


def read_ticket_for_token(
    connection: Connection, *, token_hash: str, ticket_id: int
) -> tuple[Caller | None, dict[str, Any] | None]:
    """Who a bearer token belongs to, and the ticket `read_ticket` would give them, from one
    statement: on PostgreSQL one round trip instead of two, which cost a fifth of a read's
    CPU. (None, None) for a token of no one; the ticket is None when it is not there or not
    theirs to see."""
    params = {"token_hash": token_hash, "ticket_id": ticket_id}
    row = _CALLER_AND_TICKET.first(connection, params)
    if row is None:
        return None, None
    caller, ticket = Caller(*row[:_CALLER_FIELDS]), row[_CALLER_FIELDS:]
    if ticket[0] is None:  # the outer join found no ticket they may see
        return caller, None
    return caller, shown_rows(SHOWN_COLUMNS, [ticket])[0]


_CALLER_FIELDS = len(fields(Caller))


def _is_agent(caller: Subquery) -> ColumnElement[bool]:
    """`Caller.is_agent` in SQL, for statements that find the caller themselves. (Not `in_`,
    whose list SQLAlchemy renders anew at each execution.)"""
    return or_(*(caller.c.role == role for role in sorted(AGENT_ROLES)))


def _caller_and_ticket() -> Select[Any]:
    caller = CALLER_BY_TOKEN.subquery("caller")
    # `visible_tickets_for` in SQL: the role is not known before the statement runs.
    visible = (Ticket.id == bindparam("ticket_id")) & (
        _is_agent(caller) | (Ticket.requester_id == caller.c.id)
    )
    return select(*caller.c, *SHOWN.selected_columns).select_from(
        caller.outerjoin(SHOWN.get_final_froms()[0], visible)
    )


_CALLER_AND_TICKET = Precompiled(_caller_and_ticket())


def queue_for_token(
    session: Session,
    *,
    token_hash: str,
    filters: TicketFilters,
    sort: str,
    offset: int,
    limit: int,
) -> tuple[Caller | None, Listed | None]:
    """Who a bearer token belongs to and, when they are an agent and `filters` ask for
    their queue (see `queue_page`), the page and total `list_tickets` gives them, from one
    statement: on PostgreSQL one round trip instead of three. The page is None for a
    requester, and for any other list, which is still to be read; the caller is None for a
    token of no one."""
    queue = (
        queue_page(filters.statuses, filters.categories, sort=sort, offset=offset, limit=limit)
        if _is_queue(filters, _narrowed_by(_filter_params(filters)))
        else None
    )
    if queue is None:
        return caller_for_token_hash(session, token_hash), None
    statement = _queue_with_caller(
        queue.statement,
        statuses=queue.statuses,
        categories=queue.categories,
        descending=queue.descending,
    )
    params = {**queue.params, "token_hash": token_hash}
    rows = statement.rows(session.connection(), params)
    if not rows:
        return None, None
    caller = Caller(*rows[0][:_CALLER_FIELDS])
    if not caller.is_agent:
        return caller, None
    tickets = [row[_CALLER_FIELDS + 1 :] for row in rows if row[_CALLER_FIELDS + 1] is not None]
    return caller, (shown_rows(SHOWN_COLUMNS, tickets), Total(int(rows[0][_CALLER_FIELDS])))


@lru_cache(maxsize=256)  # one a `queue_page` statement, as many as those are kept
def _queue_with_caller(
    page: Precompiled, *, statuses: int, categories: int, descending: bool
) -> Precompiled:
    """The caller; the queue's total (as `tickets_now_in`, on every row); and, for an
    agent, the page of `page` (a `queue_page` statement for this many statuses and
    categories), one ticket a row in its order."""
    caller = CALLER_BY_TOKEN.subquery("caller")
    if not isinstance(page.statement, Select):
        raise TypeError("not a queue's page")
    listed = page.statement.subquery("page")
    # Bound to the page's own parameters, one by one: SQL that is the same at every
    # execution, where SQLAlchemy renders an expanding list anew each time.
    total = tickets_now_in_query(
        [bindparam(STATUS.format(n)) for n in range(statuses)],
        [bindparam(CATEGORY.format(n)) for n in range(categories)] if categories else None,
    ).scalar_subquery()
    order = (listed.c.opened_at, listed.c.id)
    return Precompiled(
        select(*caller.c, total, *listed.c)
        .select_from(caller.outerjoin(listed, _is_agent(caller)))
        .order_by(*(column.desc() if descending else column.asc() for column in order))
    )


def require_visible(session: Session, *, actor: Actor, ticket_id: int) -> None:
    """NotFound unless `actor` may see ticket `ticket_id`; the ticket is not loaded."""
    params = {**viewer_params(actor), "ticket_id": ticket_id}
    if _visible_id_precompiled(agent=actor.is_agent).first(session.connection(), params) is None:
        raise NotFound(f"ticket {ticket_id} not found")


@cache
def _visible_id_precompiled(*, agent: bool) -> Precompiled:
    return Precompiled(visible_id(agent=agent))


@cache
def visible_id(*, agent: bool) -> Select[int]:
    """The id of ticket `ticket_id` when visible (bound at execution, see `viewer_params`)."""
    visible = visible_tickets_for(agent=agent).with_only_columns(Ticket.id)
    return visible.where(Ticket.id == bindparam("ticket_id"))


def get_ticket(
    session: Session, *, actor: Actor, ticket_id: int, for_update: bool = False
) -> Ticket:
    query = _ticket_by_id(agent=actor.is_agent, for_update=for_update)
    params = {**viewer_params(actor), "ticket_id": ticket_id}
    ticket = session.scalars(query, params).unique().one_or_none()
    if ticket is None:
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


@cache
def _ticket_by_id(*, agent: bool, for_update: bool) -> Select[Ticket]:
    """One visible ticket with its people, built once per shape (see `visible_tickets_for`)."""
    query = (
        visible_tickets_for(agent=agent)
        .where(Ticket.id == bindparam("ticket_id"))
        .options(joinedload(Ticket.requester), joinedload(Ticket.assignee))
    )
    return query.with_for_update(of=Ticket) if for_update else query


def list_tickets(
    session: Session,
    *,
    actor: Actor,
    filters: TicketFilters,
    sort: str = "-opened_at",
    offset: int = 0,
    limit: int = 25,
) -> Listed:
    """One page of the tickets `actor` may see (as shown, see `shown_tickets`), and how many
    match in all (a search's count may stop short: see `Total`)."""
    if sort not in SORT_VALUES:
        raise InvalidValue(f"unknown sort key '{sort}'", field="sort")
    values = _filter_params(filters)
    narrowed_by = _narrowed_by(values)
    params = {**viewer_params(actor), **values, "offset": offset, "limit": limit}
    queue_view = actor.is_agent and _is_queue(filters, narrowed_by)
    queue = (
        queue_page(filters.statuses, filters.categories, sort=sort, offset=offset, limit=limit)
        if queue_view
        else None
    )
    if queue is not None:
        page, params = queue.statement, queue.params
    elif filters.text:
        with search.index_checked(session), search.planned_for_its_values(session):
            return _search(
                session,
                filters.text,
                agent=actor.is_agent,
                narrowed_by=narrowed_by,
                sort=sort,
                params=params,
            )
    else:
        count, page = _list_statements(agent=actor.is_agent, narrowed_by=narrowed_by, sort=sort)
    # A queue is counted from the analytics roll-up, kept in the same transaction as every
    # ticket change: counting the matching rows read thousands of index entries per page at
    # a million tickets (6 ms on PostgreSQL for one category's open tickets).
    if queue_view:
        total = tickets_now_in(session, statuses=filters.statuses, categories=filters.categories)
    else:
        (total,) = count.rows(session.connection(), params)[0]
    return shown_tickets(session, page, params), Total(total)


# Sort keys an index orders the tickets by, which a search's page can be walked in.
WALKABLE_SORTS = frozenset({"id", "opened_at"})

_NEWEST_ID = Precompiled(select(func.max(Ticket.id)))


@dataclass(frozen=True)
class _SearchStatements:
    """The statements of one shape of search (see `_search_statements`). Besides the text
    (`search.text_values`) and the list's own values, they bind `count_limit`,
    `walk_offset`, `last_within`, `walked_to` and `search.MATCH_IDS` where said."""

    selected: Precompiled  # how many tickets the filters leave, up to `count_limit`
    checked_ids: Precompiled  # the ids of those that hold the text, each checked (SQLite)
    counted: Precompiled  # how many tickets hold the text, up to `count_limit`
    page: Precompiled  # the page, every match looked up and sorted
    listed: Precompiled  # the first `count_limit` matches' ids, from the index alone (SQLite)
    page_among: Precompiled  # the page among the ids `search.MATCH_IDS` lists
    matched_ids: Precompiled  # the ids of the first `count_limit` tickets holding the text
    walked_page: Precompiled  # the page walked, each ticket tested against every match
    last_within: Precompiled  # the sort key of the ticket `walk_offset` steps into the order
    # The page, each ticket checked in the page's order, walked from the start or from past
    # `walked_to`, to the end or no further than `last_within`: by the bounds bound.
    checked_pages: Mapping[frozenset[str], Precompiled]


# Shapes differ by role, filters named, sort and a short text's cases: thousands could be
# asked for, and each holds ten statements and their compiled SQL.
@lru_cache(maxsize=256)
def _search_statements(
    *, agent: bool, narrowed_by: frozenset[str], sort: str, dialect: str, variants: int
) -> _SearchStatements:
    """A shape of search's statements, built and compiled once and run for any text (see
    `search.narrowed` for `variants`): built anew at each search, they cost it 4-6 ms of
    CPU at a million tickets, more than most of its SQL."""
    query = _filtered(visible_tickets_for(agent=agent), narrowed_by)
    narrowed = search.narrowed(query, dialect=dialect, variants=variants)
    limit: BindParameter[int] = bindparam("count_limit", type_=Integer)
    checked = search.each_checked(query, dialect=dialect)
    key = SORT_KEYS[sort.lstrip("-")]
    last_within: BindParameter[Any] = bindparam("last_within", type_=key.type)
    walked_to: BindParameter[Any] = bindparam("walked_to", type_=key.type)
    descending = sort.startswith("-")
    bounds = {
        "last_within": key >= last_within if descending else key <= last_within,
        "walked_to": key < walked_to if descending else key > walked_to,
    }
    checked_pages = {}
    for named in ((), ("last_within",), ("walked_to",), ("last_within", "walked_to")):
        _count, checked_page = _list_statements_of(
            checked.where(*(bounds[name] for name in named)), sort
        )
        checked_pages[frozenset(named)] = Precompiled(checked_page)
    _count, page = _list_statements_of(narrowed, sort)
    _count, page_among = _list_statements_of(search.among(query, dialect=dialect), sort)
    walked = search.narrowed(query, dialect=dialect, variants=variants, walk=True)
    _count, walked_page = _list_statements_of(walked, sort)
    return _SearchStatements(
        selected=Precompiled(search.counted_up_to(query.with_only_columns(Ticket.id), limit)),
        checked_ids=Precompiled(checked.with_only_columns(Ticket.id)),
        counted=Precompiled(search.counted_up_to(narrowed.with_only_columns(Ticket.id), limit)),
        page=Precompiled(page),
        listed=Precompiled(search.first_matches(limit)),
        page_among=Precompiled(page_among),
        matched_ids=Precompiled(narrowed.with_only_columns(Ticket.id).limit(limit)),
        walked_page=Precompiled(walked_page),
        last_within=Precompiled(
            query.with_only_columns(key)
            .order_by(*_page_order(sort))
            .offset(bindparam("walk_offset"))
            .limit(1)
        ),
        checked_pages=checked_pages,
    )


def _search(
    session: Session,
    text: str,
    *,
    agent: bool,
    narrowed_by: frozenset[str],
    sort: str,
    params: dict[str, Any],
) -> Listed:
    """A page of the visible tickets holding `text`, and how many there are (counted up to
    `search.COUNT_UP_TO`, or further when the page lies further)."""
    connection = session.connection()
    dialect = connection.dialect.name
    variants = search.case_variants(text, dialect=dialect)
    statements = _search_statements(
        agent=agent, narrowed_by=narrowed_by, sort=sort, dialect=dialect, variants=variants
    )
    params = {**params, **search.text_values(text)}
    indexed = dialect == "sqlite" and search.looked_up(text)
    every_ticket = agent and not narrowed_by
    # SQLite's text too short for its index is matched by LIKE, the same few tickets or not.
    checks_few = indexed or dialect == "postgresql"
    if checks_few and not every_ticket:
        limit = {"count_limit": search.CHECK_EACH_UP_TO + 1}
        (selected,) = statements.selected.rows(connection, {**params, **limit})[0]
        if selected <= search.CHECK_EACH_UP_TO:
            # A requester's own tickets, or the few an agent's filters leave: checked each,
            # once, and the page found among those that hold the text (counted and paged
            # apart, each ticket was checked twice).
            checked = statements.checked_ids.rows(connection, params)
            return _page_among(session, statements, params, checked), Total(len(checked))
    rows = params["offset"] + params["limit"]
    up_to = max(search.COUNT_UP_TO, rows)  # said as far as the page goes at least
    walkable = indexed and sort.lstrip("-") in WALKABLE_SORTS
    newest_id = (_NEWEST_ID.rows(connection, {})[0][0] or 0) if walkable else 0
    walk_from = search.walk_pays_from(rows=rows, newest_id=newest_id) if walkable else 0
    check_from = search.checking_pays_from(rows=rows, newest_id=newest_id) if walkable else 0
    if indexed and every_ticket:
        # Every match is a ticket an agent sees: the first of them listed from the index
        # alone, as far as the page and as far as a walk would not pay.
        listed_up_to = max(up_to, walk_from)
        listed = statements.listed.rows(connection, {**params, "count_limit": listed_up_to + 1})
        total = Total(min(len(listed), up_to), exact=len(listed) <= up_to)
        if len(listed) <= listed_up_to:  # all of them: the page is among them
            return _page_among(session, statements, params, listed), total
        # The rest estimated from how far the first reach, rather than counted.
        (farthest,) = listed[-1]
        matches = search.matches_estimated(
            counted=len(listed), farthest=farthest, newest_id=newest_id
        )
    elif not indexed:
        # PostgreSQL, or text too short for SQLite's index: the matches listed as far as
        # the page, and the page found among them when that is all of them, rather than
        # counted and then looked for again (at a million tickets, a requester's search on
        # PostgreSQL read their tickets' text once for the count and again for the page).
        listed = statements.matched_ids.rows(connection, {**params, "count_limit": up_to + 1})
        total = Total(min(len(listed), up_to), exact=len(listed) <= up_to)
        if total.exact:
            return _page_among(session, statements, params, listed), total
        return shown_tickets(session, statements.page, params), total
    else:
        # Counted as far as the page, and as far as needed to tell whether a walk pays.
        limit = {"count_limit": max(up_to, walk_from, check_from) + 1}
        (matches,) = statements.counted.rows(connection, {**params, **limit})[0]
        total = Total(min(matches, up_to), exact=matches <= up_to)
    if walkable:
        found = _walked(session, statements, params, newest_id=newest_id, matches=matches)
        if found is not None:
            return found, total
    return shown_tickets(session, statements.page, params), total


def _page_among(
    session: Session,
    statements: _SearchStatements,
    params: dict[str, Any],
    matches: list[tuple[Any, ...]],
) -> list[dict[str, Any]]:
    """The page among `matches`, the rows of a statement that listed every ticket id that
    holds the text."""
    match_ids = [match_id for (match_id,) in matches]
    dialect = session.connection().dialect.name
    return shown_tickets(
        session, statements.page_among, {**params, **search.listed(match_ids, dialect=dialect)}
    )


def _walked(
    session: Session,
    statements: _SearchStatements,
    params: dict[str, Any],
    *,
    newest_id: int,
    matches: int,
) -> list[dict[str, Any]] | None:
    """The page of a search on SQLite with many `matches`, found by walking the page's
    order, when a walk pays (see `search.checking_pays_from` and `search.walk_pays_from`);
    None when it is to be found by sorting the matches."""
    connection = session.connection()
    rows = params["offset"] + params["limit"]
    if matches >= search.checking_pays_from(rows=rows, newest_id=newest_id):
        windows = search.checked_walk_windows(rows=rows, newest_id=newest_id, matches=matches)
        found: list[dict[str, Any]] = []
        bounds: dict[str, Any] = {}
        for within in windows:
            # The walk ends at the sort key of the last ticket within it. Told only to keep
            # the first `within` tickets, SQLite walked on to the last ticket when the page
            # was not filled there: 220-280 ms at a million tickets, to give up.
            walk_offset = {"walk_offset": within - 1}
            last = statements.last_within.first(connection, {**params, **walk_offset})
            if last is None:  # fewer tickets than that: the walk sees every one
                bounds.pop("last_within", None)
            else:
                bounds["last_within"] = last[0]
            rest = {**params, **bounds, "limit": params["limit"] - len(found)}
            found += shown_tickets(session, statements.checked_pages[frozenset(bounds)], rest)
            if last is None or len(found) == params["limit"]:
                return found
            if params["offset"]:
                # A further page is walked again from the start: how many matches before it
                # the walk has passed is not known.
                found = []
            else:
                # The first page goes on from where the walk stopped, rather than walking
                # the tickets it has checked again (a word rarer among the newest tickets).
                bounds["walked_to"] = last[0]
    if matches >= search.walk_pays_from(rows=rows, newest_id=newest_id):
        return shown_tickets(session, statements.walked_page, params)
    return None


def _narrowed_by(values: Mapping[str, Any]) -> frozenset[str]:
    """The names of the filters given, among `_filter_params`'s values."""
    return frozenset(name for name, value in values.items() if value)


def _is_queue(filters: TicketFilters, narrowed_by: frozenset[str]) -> bool:
    """Whether a list is narrowed by status and category at most, without text: for an
    agent, their queue, the usual view."""
    return not filters.text and narrowed_by <= {"statuses", "categories"}


def _filter_params(filters: TicketFilters) -> dict[str, Any]:
    """The values of the filters `_filtered` binds (the text is searched by `search`)."""
    return {
        "statuses": list(filters.statuses),
        "categories": list(filters.categories),
        "priorities": list(filters.priorities),
        "requester_ids": list(filters.requester_ids),
        "assignee_ids": list(filters.assignee_ids),
        "unassigned": filters.unassigned,
    }


@cache
def _list_statements(
    *, agent: bool, narrowed_by: frozenset[str], sort: str
) -> tuple[Precompiled, Precompiled]:
    """The count and the page of one shape of list, built and compiled once: building and
    keying the statements cost more than running them. Values are bound at execution."""
    query = _filtered(visible_tickets_for(agent=agent), narrowed_by)
    count, page = _list_statements_of(query, sort)
    return Precompiled(count), Precompiled(page)


def _page_order(sort: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The ORDER BY of `sort`: its key, then the id the same way to break ties."""
    key = SORT_KEYS[sort.lstrip("-")]
    if sort.startswith("-"):
        return key.desc(), Ticket.id.desc()
    return key.asc(), Ticket.id.asc()


def _list_statements_of(query: Select[Ticket], sort: str) -> tuple[Select[int], Select[Any]]:
    order, tiebreak = _page_order(sort)
    count = query.with_only_columns(func.count(Ticket.id)).order_by(None)
    # The page's ids first, from an index where one fits, then only those rows with their
    # people: joining and sorting every match would read them all (170 ms for an agent's
    # queue at a million tickets, against well under a millisecond this way).
    page_ids = (
        query.with_only_columns(Ticket.id)
        .order_by(order, tiebreak)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return count, shown(page_ids, order, tiebreak)


def _filtered(query: Select[Ticket], narrowed_by: frozenset[str]) -> Select[Ticket]:
    """`query` narrowed by the filters named (see `_filter_params` for their parameters)."""

    def listed(name: str) -> Any:
        return bindparam(name, expanding=True)

    if "statuses" in narrowed_by:
        query = query.where(Ticket.status.in_(listed("statuses")))
    if "categories" in narrowed_by:
        query = query.where(Ticket.category.in_(listed("categories")))
    if "priorities" in narrowed_by:
        query = query.where(Ticket.priority.in_(listed("priorities")))
    if "requester_ids" in narrowed_by:
        query = query.where(Ticket.requester_id.in_(listed("requester_ids")))
    if {"assignee_ids", "unassigned"} <= narrowed_by:
        query = query.where(
            or_(Ticket.assignee_id.in_(listed("assignee_ids")), Ticket.assignee_id.is_(None))
        )
    elif "assignee_ids" in narrowed_by:
        query = query.where(Ticket.assignee_id.in_(listed("assignee_ids")))
    elif "unassigned" in narrowed_by:
        query = query.where(Ticket.assignee_id.is_(None))
    return query


def list_categories(session: Session) -> list[str]:
    """Every category in use, alphabetically: read from the analytics roll-up of tickets per
    (category, status), a few rows per category, instead of every ticket. A category whose
    tickets all moved elsewhere keeps its rows there at zero, so those count for nothing."""
    query = (
        select(StatusCount.category)
        .group_by(StatusCount.category)
        .having(func.sum(StatusCount.tickets) > 0)
        .order_by(StatusCount.category)
    )
    return list(session.scalars(query))


def create_ticket(
    session: Session,
    *,
    actor: Actor,
    description: str,
    title: str | None = None,
    category: str | None = None,
    priority: Priority | None = None,
    status: Status | None = None,
    assignee_id: int | None = None,
    requester_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Open a ticket for `actor` (or, for agents, on behalf of `requester_id`); the ticket
    as shown (see `shown_tickets`).

    Agents may log a ticket straight into any state, e.g. one already solved on the phone.
    """
    now = now or utcnow()
    if not actor.is_agent:
        _refuse_for_requester("assignee_id", assignee_id, None)
        _refuse_for_requester("requester_id", requester_id, actor.id)
        _refuse_for_requester("status", status, Status.OPEN)
    requester = actor if requester_id in (None, actor.id) else _user(session, requester_id)
    assignee = _assignable_agent(session, assignee_id)
    status = status or Status.OPEN
    values = {
        "title": title or title_from(description),
        "description": description,
        "status": status,
        "category": category or DEFAULT_CATEGORY,
        "priority": priority or Priority.NORMAL,
        "requester_id": requester.id,
        "assignee_id": assignee.id if assignee else None,
        "opened_at": now,
        "updated_at": now,
        "resolved_at": now if status == Status.RESOLVED else None,
        "closed_at": now if status == Status.CLOSED else None,
        "version": 1,
    }
    # One statement, not the unit of work: flushing a new mapped Ticket and its first history
    # entry cost more CPU than all the rest of an API create, and the five rows a ticket
    # opens with cost a round trip each on PostgreSQL and, on SQLite, a wait for the GIL
    # each inside the database's one write lock (`tickets.opening`). Its values are bound
    # before the transaction begins: under load, each step of Python inside SQLite's lock
    # waited for the GIL behind the worker's other threads, and the next writer waited too.
    dialect = session.get_bind().dialect
    opened = [(None, Status.OPEN)] + ([(Status.OPEN, status)] if status != Status.OPEN else [])
    changes = [
        change_row(ticket_id=None, actor=actor, field="status", old=old, new=new, at=now)
        for old, new in opened
    ]
    counters = aggregates.opening_counters(values)
    if counters is not None:
        one_statement = bind_opening(dialect, ticket=values, changes=changes, counters=counters)
        ticket_id = open_ticket(session.connection(), one_statement)
    else:
        insert_ticket = _INSERT_TICKET.bind(dialect, values)
        connection = session.connection()
        (ticket_id,) = insert_ticket.rows(connection)[0]
        _INSERT_CHANGE.run_many(connection, [{**row, "ticket_id": ticket_id} for row in changes])
        after = aggregates.TicketFacts.of({**values, "id": ticket_id})
        aggregates.ticket_changed(session, before=None, after=after)
    return {
        **values,
        "id": ticket_id,
        "requester": person(requester),
        "assignee": person(assignee),
    }


_INSERT_TICKET = Precompiled(
    insert(Ticket.__table__).returning(Ticket.__table__.c.id)  # type: ignore[arg-type]
)
_INSERT_CHANGE = Precompiled(insert(TicketChange.__table__))  # type: ignore[arg-type]


def update_ticket(
    session: Session,
    *,
    actor: Actor,
    ticket_id: int,
    changes: Mapping[str, Any],
    expected_versions: Collection[int] | None = None,
    now: datetime | None = None,
) -> Ticket:
    """Apply `changes` (any of title, description, category, priority, status, assignee_id).

    `expected_versions` comes from If-Match: when given, the ticket must still be at one of
    them, otherwise nothing changes and StaleVersion is raised.
    """
    now = now or utcnow()
    ticket = get_ticket(session, actor=actor, ticket_id=ticket_id, for_update=True)
    if expected_versions is not None and ticket.version not in expected_versions:
        raise StaleVersion(
            f"ticket {ticket_id} is at version {ticket.version}; your copy is out of date"
        )
    if not actor.is_agent:
        for field in AGENT_ONLY_FIELDS:
            if field in changes:
                _refuse_for_requester(field, changes[field], getattr(ticket, field))

    def log(field: str, old: Any, new: Any) -> None:
        record_change(session, ticket=ticket, actor=actor, field=field, old=old, new=new, at=now)

    before = aggregates.TicketFacts.of(ticket)
    changed = _apply_fields(session, ticket, changes, log)
    if "status" in changes and changes["status"] != ticket.status:
        previous = (ticket.status, ticket.resolved_at, ticket.closed_at)
        workflow.move(ticket, changes["status"], now=now)
        for field, old in zip(("status", "resolved_at", "closed_at"), previous, strict=True):
            if getattr(ticket, field) != old:
                log(field, old, getattr(ticket, field))
        changed = True
    if changed:
        ticket.updated_at = now
        _flush(session)
        aggregates.ticket_changed(session, before=before, after=aggregates.TicketFacts.of(ticket))
    return ticket


def _apply_fields(
    session: Session,
    ticket: Ticket,
    changes: Mapping[str, Any],
    log: Callable[[str, Any, Any], None],
) -> bool:
    """Set the plain fields and the assignee; True when anything changed."""
    changed = False
    for field in EDITABLE_FIELDS:
        if field in changes and changes[field] != getattr(ticket, field):
            log(field, getattr(ticket, field), changes[field])
            setattr(ticket, field, changes[field])
            changed = True
    if "assignee_id" in changes and changes["assignee_id"] != ticket.assignee_id:
        log("assignee_id", ticket.assignee_id, changes["assignee_id"])
        ticket.assignee = _assignable_agent(session, changes["assignee_id"])
        changed = True
    return changed


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        # The row lock (or SQLite's write lock) makes this rare; never lose the other write.
        raise Conflict("the ticket was changed by someone else at the same time; retry") from error


def _refuse_for_requester(field: str, value: Any, allowed: Any) -> None:
    if value is not None and value != allowed:
        raise InvalidValue(f"requesters may not set '{field}'", field=field)


def _user(session: Session, user_id: int | None) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise InvalidValue(f"no active user with id {user_id}", field="requester_id")
    return user


def _assignable_agent(session: Session, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active or not user.is_agent:
        raise InvalidValue(f"user {user_id} is not an active agent", field="assignee_id")
    return user
