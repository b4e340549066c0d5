"""The SQL pieces the analytics queries share, with the few expressions that differ between
SQLite and PostgreSQL in one place."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    BindParameter,
    Date,
    Float,
    Integer,
    Select,
    Subquery,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    true,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ticketdesk.analytics.buckets import SCALE
from ticketdesk.analytics.ranges import Split


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def utc_day(dialect: str, moment: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment, type_=Date)


def utc_month(dialect: str, moment: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.date_trunc("month", func.timezone("UTC", moment)), Date)
    return func.date(moment, "start of month", type_=Date)


def period_of_day(dialect: str, period: str, day: Any) -> ColumnElement[Any]:
    """The first day of the calendar week (from Monday) or month holding a DATE."""
    if dialect == "postgresql":
        return cast(func.date_trunc(period, day), Date)
    if period == "week":  # to the Sunday ending the week (that day if a Sunday), then back
        return func.date(day, "weekday 0", "-6 days", type_=Date)
    return func.date(day, "start of month", type_=Date)


def number_list(dialect: str, number: Any) -> ColumnElement[str]:
    """The group's values of an integer expression as text, comma-separated, in the order the
    group's rows are read: two such lists of one group list its rows in the same order."""
    if dialect == "postgresql":
        return func.string_agg(cast(number, Text), ",")
    return func.group_concat(number, ",")  # SQLite writes an integer as text itself


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """end - start in seconds, to the microsecond on both databases."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    # SQLite keeps 'YYYY-MM-DD HH:MM:SS.ffffff'; julianday() alone is only exact to the ms.
    whole = func.round(
        (func.julianday(func.substr(end, 1, 19)) - func.julianday(func.substr(start, 1, 19)))
        * 86400
    )
    micro = cast(func.substr(end, 21), Integer) - cast(func.substr(start, 21), Integer)
    return cast(whole + micro / 1e6, Float)


def bucket_expression(seconds: Any) -> ColumnElement[int]:
    """`buckets.bucket_of` in SQL."""
    return case(
        (seconds < 1, literal(0)),
        else_=1 + cast(func.floor(func.ln(seconds) * SCALE), Integer),
    )


# The categories a statement built once narrows to, bound at execution as "categories" (a
# list: values of a statement that does not narrow are ignored).
BOUND_CATEGORIES: BindParameter[Any] = bindparam("categories", expanding=True)


def whole_bounds(split: Split) -> dict[str, date]:
    """The bounds of the split's whole days or months that it has, by name ("first",
    "stop"), for a statement built once with `bound_whole_part`."""
    bounds = {"first": split.first, "stop": split.stop}
    return {name: bound for name, bound in bounds.items() if bound is not None}


def bound_whole_part(column: Any, bounds: Collection[str]) -> ColumnElement[bool]:
    """The condition on a DATE column selecting a split's whole days or months, its bounds
    (those of `bounds`: "first", "stop") bound at execution under their names (see
    `whole_bounds`)."""
    conditions = []
    if "first" in bounds:
        conditions.append(column >= bindparam("first"))
    if "stop" in bounds:
        conditions.append(column < bindparam("stop"))
    return and_(true(), *conditions)


class SplitShape(NamedTuple):
    """What a statement built once for a split (`split_shape`) depends on; the split's
    dates and instants are bound at each execution (`split_values`)."""

    whole: bool  # whether it has whole days or months
    bounds: frozenset[str]  # which bounds of them it has (see `whole_bounds`)
    edges: int  # how many partial stretches

    @property
    def all_of_history(self) -> bool:
        """Whether the split is of an unbounded range (whole units, no bound): the all-time
        roll-ups answer it."""
        return self.whole and not self.bounds


def split_shape(split: Split) -> SplitShape:
    return SplitShape(split.whole, frozenset(whole_bounds(split)), len(split.edges))


def split_values(split: Split, categories: Collection[str]) -> dict[str, Any]:
    """What a statement built for `split_shape(split)`, narrowed with `bound_narrowed`,
    binds: the whole part's bounds, each partial stretch's start and end, the categories."""
    values: dict[str, Any] = {**whole_bounds(split), "categories": sorted(categories)}
    for number, (start, end) in enumerate(split.edges):
        values[f"edge_start_{number}"] = start
        values[f"edge_end_{number}"] = end
    return values


def bound_edge_part(column: Any, edges: int) -> ColumnElement[bool]:
    """The condition on a timestamp column selecting a split's `edges` partial stretches,
    their instants bound at execution (see `split_values`)."""
    return or_(
        *[
            (column >= bindparam(f"edge_start_{number}"))
            & (column < bindparam(f"edge_end_{number}"))
            for number in range(edges)
        ]
    )


def bound_narrowed(
    queries: Iterable[Select[*tuple[Any, ...]]], some_categories: bool
) -> list[Select[*tuple[Any, ...]]]:
    """`queries` narrowed on their first column (the category), when `some_categories`, to
    the categories bound at execution (`BOUND_CATEGORIES`)."""
    if not some_categories:
        return list(queries)
    return [query.where(query.selected_columns[0].in_(BOUND_CATEGORIES)) for query in queries]


def united(queries: Sequence[Select[*tuple[Any, ...]]]) -> Subquery:
    """The rows of all `queries` (at least one, with the same columns) as one subquery."""
    return (union_all(*queries) if len(queries) > 1 else queries[0]).subquery()
