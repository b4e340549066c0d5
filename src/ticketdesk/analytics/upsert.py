"""Add deltas to counter rows: insert the row, or add to it when it is already there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table
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
    upsert = counter_upsert(session.get_bind().dialect, table, keys=keys, deltas=deltas)
    if upsert is not None:
        upsert.run(session.connection())


def counter_upsert(
    dialect: Dialect,
    table: Table,
    *,
    keys: Sequence[str],
    deltas: Mapping[tuple[Any, ...], Mapping[str, float]],
) -> Bound | None:
    """`add_to_counters`, bound for `dialect` to be run later; None when nothing changes.

    Rows are written in key order, so two transactions touching the same rows lock them in
    the same order and cannot deadlock each other.
    """
    rows = [
        {**dict(zip(keys, key, strict=True)), **values}
        for key, values in sorted(deltas.items())
        if any(values.values())
    ]
    if not rows:
        return None
    columns = tuple(name for name in rows[0] if name not in keys)
    # Precompiled, the statement built once: every ticket change runs two to five of these,
    # and building one cost more than running it.
    return _upsert(table, tuple(keys), columns, dialect.name).bind_many(dialect, rows)


@cache
def _upsert(
    table: Table, keys: tuple[str, ...], columns: tuple[str, ...], dialect: str
) -> Precompiled:
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    return Precompiled(
        insert.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + insert.excluded[name] for name in columns},
        )
    )
