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
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Insert, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any]
AnySelect = Select[*tuple[Any, ...]]


@dataclass
class _Compiled:
    """One statement as one dialect runs it."""

    sql: str
    compiler: SQLCompiler
    dialect: Dialect
    # Bind names in the order of their placeholders (positional paramstyles), else None.
    order: tuple[str, ...] | None
    # An INSERT's columns not given whose default is a constant, which SQLAlchemy binds.
    defaults: Mapping[str, Any]
    bind_processors: Mapping[str, Processor]
    # The type of each column it selects or returns, as the dialect converts it.
    column_types: tuple[TypeEngine[Any], ...]
    returns: bool  # whether it selects or returns rows
    expands: bool  # whether its SQL is finished per execution (see `bound`)
    # (index, processor) of each column whose driver value its type converts, the others
    # taken as the driver gives them: found at the first execution (`row_processors`).
    _row_processors: tuple[tuple[int, Processor], ...] | None = None

    def bound(self, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's parameters of one execution with `params`."""
        given = {**self.defaults, **params}
        if not self.expands:
            values = self.compiler.construct_params(given)
            return self.sql, _for_driver(values, self.bind_processors, self.order)
        # Rendered per execution as SQLAlchemy renders it: a placeholder for each value of
        # an expanding IN list (its name replaced by theirs), a literal_execute value
        # written into the SQL.
        state = self.compiler.construct_expanded_state(given)
        processors = {**self.bind_processors, **state.processors}
        return state.statement, _for_driver(dict(state.parameters), processors, state.positiontup)

    def row_processors(self, cursor: Any) -> tuple[tuple[int, Processor], ...]:
        """Which columns' driver values are converted, and how, for the columns the driver
        describes on `cursor` (just executed): a type's conversion may depend on what the
        driver says it returns (psycopg gives a float8 column as a float and a numeric one
        as a Decimal, which a Float converts), as SQLAlchemy asks each type with the
        description's type code. A statement's columns are of the same types at every
        execution, so this is asked once: psycopg makes the description anew at each
        asking, which cost a ticket read on PostgreSQL about 0.03 ms."""
        found = self._row_processors
        if found is None:
            found = tuple(
                (index, process)
                for index, (type_, described) in enumerate(
                    zip(self.column_types, cursor.description, strict=True)
                )
                if (process := type_.result_processor(self.dialect, described[1]))
            )
            self._row_processors = found  # the same whichever thread finds it first
        return found

    def row(
        self, raw: Sequence[Any], processors: Sequence[tuple[int, Processor]]
    ) -> tuple[Any, ...]:
        # Only the converted columns visited: a page of 25 tickets has 500 values, and a
        # step through each in Python cost more than SQLAlchemy's compiled row processing.
        values = list(raw)
        for index, process in processors:
            value = values[index]
            if value is not None:
                values[index] = process(value)
        return tuple(values)


def _for_driver(
    values: MutableMapping[str, Any],
    processors: Mapping[str, Processor],
    order: Sequence[str] | None,
) -> Any:
    """`values` through their processors, by name or (positional paramstyles) in `order`."""
    for name, process in processors.items():
        if name in values:  # not an expanded list's own name, which is gone
            values[name] = process(values[name])
    if order is None:
        return values
    return tuple(values[name] for name in order)


class Precompiled:
    """A Core SELECT, or INSERT, run on the driver's cursor. Its values are bound at each
    execution, `expanding` IN lists and `literal_execute` values rendered into its SQL as
    SQLAlchemy renders them; it may not hold what SQLAlchemy computes in Python before an
    execution (a column's default that is a function: an INSERT must be given such a
    column's value)."""

    def __init__(self, statement: AnySelect | Insert) -> None:
        self.statement = statement
        self.columns = list(map(str, statement.exported_columns.keys()))
        # An INSERT's SQL names the columns it is given: one compiled form per set of them.
        self._by_key: dict[tuple[str, frozenset[str]], _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement selects (or returns) with `params` bound, as tuples."""
        return self.bind(connection.dialect, params).rows(connection)

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(connection, params)
        return found[0] if found else None

    def run_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement (which returns nothing) once per row of values, all given the
        same columns, as the driver's executemany."""
        if rows:
            self.bind_many(connection.dialect, rows).run(connection)

    def bind(self, dialect: Dialect, params: Mapping[str, Any]) -> Bound:
        """One execution with `params`, its SQL and values made ready for `dialect`'s driver
        now, to be run later (`Bound.rows`): a write that runs inside SQLite's one write lock
        binds its values before it takes the lock."""
        compiled = self._compiled(dialect, params)
        return Bound(self, compiled, [params], [compiled.bound(params)])

    def bind_many(self, dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> Bound:
        """`bind` for the rows of one executemany (`Bound.run`); at least one row, all given
        the same columns, of a statement that returns nothing."""
        compiled = self._compiled(dialect, rows[0])
        if compiled.returns or compiled.expands:
            raise ValueError(
                "a statement that returns rows, or whose SQL is finished per execution, "
                "runs one row of values at a time (rows)"
            )
        return Bound(self, compiled, rows, [compiled.bound(row) for row in rows])

    def _compiled(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        key = (dialect.name, frozenset(params) if isinstance(self.statement, Insert) else _ANY)
        compiled = self._by_key.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._by_key.setdefault(key, _compile(self.statement, dialect, key[1]))
        return compiled


@dataclass(frozen=True)
class Bound:
    """A `Precompiled` statement's execution with its values bound (see `Precompiled.bind`)."""

    statement: Precompiled
    compiled: _Compiled
    params: Sequence[Mapping[str, Any]]  # as given, for SQLAlchemy to run instead
    executions: Sequence[tuple[str, Any]]  # the SQL and the driver's values of each row

    def rows(self, connection: Connection) -> list[tuple[Any, ...]]:
        """What one row of values selects or returns (see `Precompiled.rows`)."""
        compiled = self.compiled
        ((sql, values),) = self.executions

        def run(cursor: Any) -> list[tuple[Any, ...]]:
            cursor.execute(sql, values)
            if not compiled.returns:
                return []
            processors = compiled.row_processors(cursor)
            if not processors:  # the driver's tuples as they come
                return list(cursor.fetchall())
            return [compiled.row(raw, processors) for raw in cursor.fetchall()]

        found = on_driver(connection, compiled.sql, run, self.params)
        if found is None:
            (params,) = self.params
            return [
                tuple(row) for row in connection.execute(self.statement.statement, dict(params))
            ]
        return found

    def run(self, connection: Connection) -> None:
        """Run each row of values (see `Precompiled.run_many`)."""

        def run(cursor: Any) -> list[tuple[Any, ...]]:
            if len(self.executions) == 1:
                # psycopg sends an executemany as a pipeline, whose opening and closing
                # cost PostgreSQL round trips of their own: two more than one execute.
                cursor.execute(*self.executions[0])
            else:
                cursor.executemany(self.compiled.sql, [values for _, values in self.executions])
            return []

        if on_driver(connection, self.compiled.sql, run, self.params) is None:
            connection.execute(self.statement.statement, [dict(row) for row in self.params])


def on_driver(
    connection: Connection,
    sql: str,
    run: Callable[[Any], list[tuple[Any, ...]]],
    rows: Sequence[Mapping[str, Any]] = (),
) -> list[tuple[Any, ...]] | None:
    """What `run` gives on a cursor of `connection`'s driver connection, a driver error
    raised as SQLAlchemy raises it for `sql` run with `rows`; None where SQLAlchemy must run
    the statement instead (listeners, a connection found dead)."""
    if connection.dispatch.before_cursor_execute:
        return None
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:  # invalidated: let SQLAlchemy say so
        return None
    cursor = dbapi_connection.cursor()
    try:
        return run(cursor)
    except connection.dialect.loaded_dbapi.Error as error:
        if connection.dialect.is_disconnect(error, dbapi_connection, cursor):
            # SQLAlchemy meets the same dead connection, and invalidates its pool.
            return None
        raise DBAPIError.instance(
            sql,
            [dict(row) for row in rows],
            error,
            connection.dialect.loaded_dbapi.Error,
            dialect=connection.dialect,
        ) from error
    finally:
        cursor.close()


_ANY: frozenset[str] = frozenset()


def _compile(statement: AnySelect | Insert, dialect: Dialect, keys: frozenset[str]) -> _Compiled:
    returns = bool(statement.exported_columns)
    compiler = statement.compile(
        dialect=dialect,
        column_keys=sorted(keys) if isinstance(statement, Insert) else None,
        # Compiled for executemany, an INSERT without RETURNING gets none implied (the new
        # primary key that SQLAlchemy would otherwise fetch for a single row). One that
        # returns rows is run a row at a time (`rows`), so one form serves each key.
        for_executemany=not returns,
    )
    if not isinstance(compiler, SQLCompiler):
        raise TypeError("only SQL statements can be precompiled")
    defaults: dict[str, Any] = {}
    computed: list[str] = []
    for column in compiler.insert_prefetch:
        if isinstance(column.default, ScalarElementColumnDefault):
            defaults[column.key] = column.default.arg
        else:
            computed.append(column.key)
    if computed:
        names = ", ".join(sorted(computed))
        raise ValueError(f"Python-side defaults are computed per execution; give {names}")
    bind_processors = {
        compiler.bind_names[bind]: process
        for bind in compiler.binds.values()
        if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }
    return _Compiled(
        sql=compiler.string,
        compiler=compiler,
        dialect=dialect,
        order=tuple(compiler.positiontup or ()) if compiler.positional else None,
        defaults=defaults,
        bind_processors=bind_processors,
        column_types=tuple(
            column.type.dialect_impl(dialect) for column in statement.exported_columns
        ),
        returns=returns,
        expands=bool(compiler.literal_execute_params or compiler.post_compile_params),
    )
