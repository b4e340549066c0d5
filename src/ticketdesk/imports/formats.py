"""Columns turned whole into what the databases are sent: COPY's text format for PostgreSQL,
Python values for SQLite's executemany. Times are formatted by numpy, once per distinct
time; text is escaped in one pass over the joined column; nothing goes through pandas
value by value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

# COPY's text format: a tab between fields, a line break after each row, \N for NULL, and
# these characters escaped inside values.
COPY_NULL = "\\N"
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
# Joins a column's values for escaping them in one pass; PostgreSQL cannot store it in text,
# so no value holds it (csvfile refuses files that do).
SEPARATOR = "\x00"


def copy_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Each column of `frame` as COPY's text format has it."""
    times = _times(frame, _iso_utc, COPY_NULL)
    names: list[str] = list(frame.columns)
    return {name: times[name] if name in times else copy_text(frame[name]) for name in names}


def sqlite_columns(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Each column of `frame` as ticketdesk stores it in SQLite (see `sqlite_values`)."""
    times = _times(frame, _sqlite_time, None)
    names: list[str] = list(frame.columns)
    return {name: times[name] if name in times else sqlite_values(frame[name]) for name in names}


def copy_text(column: pd.Series) -> list[str]:
    """A column (not of times) as COPY's text format has it."""
    if pd.api.types.is_bool_dtype(column.dtype):
        truth: list[str] = np.where(column.to_numpy(bool), "t", "f").tolist()
        return truth
    if pd.api.types.is_integer_dtype(column.dtype) and not column.hasnans:
        numbers: list[str] = column.to_numpy("int64").astype(str).tolist()
        return numbers
    null = column.isna().to_numpy()
    if null.all():
        return [COPY_NULL] * len(column)
    text = _escaped([str(value) for value in column.tolist()])
    return _with_nulls(text, null, COPY_NULL)


def sqlite_values(column: pd.Series) -> list[Any]:
    """A column (not of times) as ticketdesk stores it in SQLite: nulls as None."""
    null = column.isna().to_numpy()
    if null.all():
        return [None] * len(column)
    return _with_nulls(column.tolist(), null, None)


def sqlite_literal(values: list[Any]) -> str | None:
    """The SQL literal of the value every one of `values` is, or None when they differ (or
    the value is not one that is simply written: only NULL, integers and text are)."""
    if not values or values.count(values[0]) != len(values):
        return None
    value = values[0]
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def _times(
    frame: pd.DataFrame, formatted: Callable[[np.ndarray], np.ndarray], null: Any
) -> dict[str, list[Any]]:
    """The frame's columns of times as UTC text, each distinct time formatted once across
    them all: updated_at repeats the others, imported history shares its import time, and
    many resolved and closed times are null. `formatted` writes an array of times."""
    names = [name for name in frame.columns if isinstance(frame[name].dtype, pd.DatetimeTZDtype)]
    if not names:
        return {}
    moments = np.concatenate([_utc_microseconds(frame[name]) for name in names])
    codes, distinct = pd.factorize(moments)  # NaT gets code -1: the last entry, null
    if len(distinct):
        text = np.array([*formatted(np.asarray(distinct)).tolist(), null], dtype=object)
    else:
        text = np.array([null], dtype=object)
    rows = len(frame)
    return {
        name: text[codes[number * rows : (number + 1) * rows]].tolist()
        for number, name in enumerate(names)
    }


def _utc_microseconds(column: pd.Series) -> np.ndarray:
    moments: np.ndarray = (
        column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
    )
    return moments


def _iso_utc(moments: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DDTHH:MM:SS.ffffffZ', which PostgreSQL reads as a UTC time."""
    iso: np.ndarray = np.datetime_as_string(moments, unit="us", timezone="UTC")
    return iso


def _sqlite_time(moments: np.ndarray) -> np.ndarray:
    """'YYYY-MM-DD HH:MM:SS.ffffff', what UTCDateTime stores in SQLite (text that sorts)."""
    return np.strings.replace(np.datetime_as_string(moments, unit="us"), "T", " ", 1)


def _escaped(values: list[str]) -> list[str]:
    """COPY's escapes applied to every value at once: join, replace, split."""
    if not values:
        return values
    joined = SEPARATOR.join(values)
    if joined.count(SEPARATOR) != len(values) - 1:
        raise ValueError("text holds a NUL character, which PostgreSQL cannot store")
    for character, escape in COPY_ESCAPES:
        joined = joined.replace(character, escape)
    return joined.split(SEPARATOR)


def _with_nulls(values: list[Any], null: np.ndarray, marker: Any) -> list[Any]:
    for position in np.flatnonzero(null).tolist():
        values[position] = marker
    return values
