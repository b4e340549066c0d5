"""Hot statements, compiled by SQLAlchemy once per dialect and run on the driver's cursor.

SQLAlchemy runs a Core statement whose compiled form it has cached in about 200,000 CPU
instructions besides the driver's own work (an execution context, a cursor result, its
rows), where the driver and the database take a few tens of thousands for a row by primary
key. A ticket read runs two such statements (who is asking, then the ticket), so they cost
more than everything else the read adds to a trivial answer. The few statements that every
request runs are declared as `Precompiled`: built with SQLAlchemy like any other, compiled
by it for each dialect the first time, then run on the connection's own DBAPI cursor, with
each value through the bind and result processors of its column's type, so what goes in and
comes out is what SQLAlchemy would send and return.

What stays SQLAlchemy's: the connection, its pool and transaction; errors, which are raised
as SQLAlchemy raises them (a dead connection is handed back to SQLAlchemy to fail on, so
that the pool is invalidated as for any statement); and a connection that someone listens
to (a test counting statements, tracing) runs each statement through SQLAlchemy, so that the
listener sees it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """One statement as one dialect runs it."""

    sql: str
    compiler: SQLCompiler
    # Bind names in the order of their placeholders (positional paramstyles), else None.
    order: tuple[str, ...] | None
    bind_processors: Mapping[str, Processor]
    # One per column (None: the driver's value as it is).
    result_processors: tuple[Processor | None, ...]

    def parameters(self, params: Mapping[str, Any]) -> Any:
        values = self.compiler.construct_params(dict(params))
        for name, process in self.bind_processors.items():
            values[name] = process(values[name])
        if self.order is None:
            return values
        return tuple(values[name] for name in self.order)

    def row(self, raw: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(raw, self.result_processors, strict=True)
        )


class Precompiled:
    """A Core SELECT run on the driver's cursor. Its values are bound at each execution; it
    may not hold what SQLAlchemy renders into the SQL per execution (`expanding` IN lists,
    `literal_execute` values)."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self.columns: list[str] = list(statement.selected_columns.keys())
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement selects with `params` bound, as tuples."""
        if connection.dispatch.before_cursor_execute:
            return [tuple(row) for row in connection.execute(self.statement, dict(params))]
        compiled = self._compiled(connection.dialect)
        values = compiled.parameters(params)
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection is None:  # invalidated: let SQLAlchemy say so
            return [tuple(row) for row in connection.execute(self.statement, dict(params))]
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(compiled.sql, values)
            raw_rows = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as error:
            if connection.dialect.is_disconnect(error, dbapi_connection, cursor):
                # SQLAlchemy meets the same dead connection, and invalidates its pool.
                return [tuple(row) for row in connection.execute(self.statement, dict(params))]
            raise DBAPIError.instance(
                compiled.sql,
                values,
                error,
                connection.dialect.loaded_dbapi.Error,
                dialect=connection.dialect,
            ) from error
        finally:
            cursor.close()
        return [compiled.row(raw) for raw in raw_rows]

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def _compiled(self, dialect: Dialect) -> _Compiled:
        key = dialect.name
        compiled = self._by_dialect.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._by_dialect.setdefault(key, _compile(self.statement, dialect))
        return compiled


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiler = statement.compile(dialect=dialect)
    if not isinstance(compiler, SQLCompiler):
        raise TypeError("only SQL statements can be precompiled")
    binds = compiler.binds.values()
    if any(bind.expanding or bind.literal_execute for bind in binds):
        raise ValueError(
            "expanding IN lists and literal_execute values are rendered at each "
            "execution: such a statement cannot be precompiled"
        )
    bind_processors = {
        compiler.bind_names[bind]: process
        for bind in binds
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    result_processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    return _Compiled(
        sql=compiler.string,
        compiler=compiler,
        order=tuple(compiler.positiontup or ()) if compiler.positional else None,
        bind_processors=bind_processors,
        result_processors=result_processors,
    )
