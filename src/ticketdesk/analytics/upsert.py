"""Add deltas to counter rows: insert the row, or add to it when it is already there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import CTE, ColumnElement, Table, bindparam, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from ticketdesk.precompiled import Bound, Precompiled


def add_to_counters(
    session: Session,
    table: Table,
    *,
    keys: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Mapping[str, float]],
) -> None:
    """For each key tuple, add its values to the row with that key (creating it at zero)."""
    rows = counter_rows(keys, deltas)
    if rows:
        counter_upsert(session.get_bind().dialect, table, rows).run(session.connection())


def counter_rows(
    keys: Sequence[str], deltas: Mapping[tuple[Any, ...], Mapping[str, float]]
) -> list[dict[str, Any]]:
    """The rows `add_to_counters` writes: each key's columns and values, in key order, so
    that two transactions touching the same rows lock them in the same order and cannot
    deadlock each other; none for a key whose values are all zero."""
    return [
        {**dict(zip(keys, key, strict=True)), **values}
        for key, values in sorted(deltas.items())
        if any(values.values())
    ]


def counter_upsert(dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]) -> Bound:
    """`add_to_counters` for `rows` (see `counter_rows`, at least one), bound for `dialect`
    to be run later."""
    keys = tuple(column.name for column in table.primary_key)
    columns = tuple(name for name in rows[0] if name not in keys)
    # Precompiled, the statement built once: every ticket change runs two to five of these,
    # and building one cost more than running it.
    return _upsert(table, columns, dialect.name).bind_many(dialect, rows)


def counter_upsert_part(
    table: Table, names: Sequence[str], *, prefix: str, after: CTE | None
) -> Any:
    """`add_to_counters` for one row of these columns (`names`, a `counter_rows` row's), as
    a common table expression of a larger statement on PostgreSQL (see
    `ticketdesk.tickets.opening`), each value bound as `prefix` + its column's name.

    PostgreSQL runs a statement's data-modifying CTEs in no set order, and a transaction
    that takes row locks in another order than a concurrent one may deadlock with it. Its
    row is therefore selected from `after`, the part that adds to the counter table before
    this one, so that it is written only once that part's row is: the counter rows are
    locked in the order they are given, as statements run one by one lock them."""
    keys = {column.name for column in table.primary_key}
    row = select(*(bindparam(prefix + name, type_=table.c[name].type) for name in names))
    if after is not None:
        row = row.select_from(after)
    insert = postgresql.insert(table).from_select(list(names), row)
    upsert = _adding(insert, table, [name for name in names if name not in keys])
    return upsert.returning(literal_column("1")).cte(f"{table.name}_added")


def counter_upsert_values(table: Table, values: Mapping[str, ColumnElement[Any]]) -> Any:
    """`add_to_counters` for one row whose values are SQL expressions (`values`, by column),
    as SQLite's INSERT: a statement of a trigger (see `ticketdesk.tickets.opening`)."""
    keys = {column.name for column in table.primary_key}
    insert = sqlite.insert(table).values(dict(values))
    return _adding(insert, table, [name for name in values if name not in keys])


@cache
def _upsert(table: Table, columns: tuple[str, ...], dialect: str) -> Precompiled:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return Precompiled(_adding(insert, table, columns))


def _adding(insert: Any, table: Table, columns: Sequence[str]) -> Any:
    """`insert` (PostgreSQL's or SQLite's), adding to `columns` where its row's key is
    already there."""
    keys = [column.name for column in table.primary_key]
    return insert.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + insert.excluded[name] for name in columns},
    )
