"""A page of an agent's queue by age, read as a merge of ordered index ranges.

`status IN (...) AND category IN (...) ORDER BY opened_at` cannot be read in order from the
(status, category, opened_at, id) index: with more than one status the database reads every
match and sorts it, about 5,500 rows for one page of a category's active tickets at a
million tickets. Within one (status, category) pair, though, the index holds the tickets in
order, so the page is among the first `offset + limit` of each pair's range: a few dozen
rows read per range, merged and cut to the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, literal_column, select, union_all

from ticketdesk.enums import Status
from ticketdesk.precompiled import Precompiled
from ticketdesk.tickets.models import Ticket
from ticketdesk.tickets.shown import shown

# Beyond this many (status, category) pairs one sorted scan is the better plan.
MAX_RANGES = 16
# The names its statement binds the n-th status and category to.
STATUS, CATEGORY = "status_{}", "category_{}"


@dataclass(frozen=True)
class QueuePage:
    """A queue's page: its statement, the values to bind, and the shape the statement was
    built for (how many distinct statuses and categories, which order)."""

    statement: Precompiled
    params: dict[str, Any]
    statuses: int
    categories: int
    descending: bool


def queue_page(
    statuses: Sequence[Status], categories: Sequence[str], *, sort: str, offset: int, limit: int
) -> QueuePage | None:
    """A page of the tickets in these statuses and categories (narrowed by nothing else),
    or None when that list is not a queue by age."""
    if sort.lstrip("-") != "opened_at" or not statuses:
        return None
    # A value sent twice would read its range twice, and list its tickets twice.
    statuses, categories = list(dict.fromkeys(statuses)), list(dict.fromkeys(categories))
    if len(statuses) * max(len(categories), 1) > MAX_RANGES:
        return None
    descending = sort.startswith("-")
    statement = _merged_ranges(
        statuses=len(statuses),
        categories=len(categories),
        descending=descending,
        depth=offset + limit,
    )
    params = {
        **{STATUS.format(n): status for n, status in enumerate(statuses)},
        **{CATEGORY.format(n): category for n, category in enumerate(categories)},
        "offset": offset,
        "limit": limit,
    }
    return QueuePage(statement, params, len(statuses), len(categories), descending)


# Most pages asked for are the first few of a few sizes.
@lru_cache(maxsize=256)
def _merged_ranges(*, statuses: int, categories: int, descending: bool, depth: int) -> Precompiled:
    """Built and compiled once per shape and depth; the other values are bound at
    execution (see `queue_page`)."""
    return Precompiled(
        merged_ranges(statuses=statuses, categories=categories, descending=descending, depth=depth)
    )


def merged_ranges(*, statuses: int, categories: int, descending: bool, depth: int) -> Select[Any]:
    """A queue's page (as `shown`) for this many statuses and categories, in its order,
    each range read `depth` tickets deep.

    The depth is written into the SQL, not bound: PostgreSQL plans a prepared statement
    once for all executions only when that plan costs no more than one made for the values
    given, and with the depth unknown it costs each range as read a tenth deep. It then
    planned the statement anew at every execution, which took longer than running it."""
    order = Ticket.opened_at.desc() if descending else Ticket.opened_at.asc()
    tiebreak = Ticket.id.desc() if descending else Ticket.id.asc()
    ranges = []
    for status in range(statuses):
        for category in range(categories) if categories else [None]:
            one_range = select(Ticket.id, Ticket.opened_at).where(
                Ticket.status == bindparam(STATUS.format(status))
            )
            if category is not None:
                one_range = one_range.where(Ticket.category == bindparam(CATEGORY.format(category)))
            # Wrapped, since SQLite allows no ORDER BY or LIMIT on a member of a UNION.
            head = (
                one_range.order_by(order, tiebreak)
                .limit(literal_column(str(int(depth)), Integer()))
                .subquery()
            )
            ranges.append(select(head.c.id, head.c.opened_at))
    merged = union_all(*ranges).subquery()
    merged_order = merged.c.opened_at.desc() if descending else merged.c.opened_at.asc()
    merged_tiebreak = merged.c.id.desc() if descending else merged.c.id.asc()
    page_ids = (
        select(merged.c.id)
        .order_by(merged_order, merged_tiebreak)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    return shown(page_ids, order, tiebreak)
