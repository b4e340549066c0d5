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


def copy_text(column: pd.Series) -> list[str]:
    """A column as COPY's text format has it."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _times(column, _iso_utc, COPY_NULL)
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
    """A column as ticketdesk stores it in SQLite: UTC times as 'YYYY-MM-DD HH:MM:SS.ffffff'
    (what UTCDateTime writes), nulls as None."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        return _times(column, _sqlite_time, None)
    null = column.isna().to_numpy()
    if null.all():
        return [None] * len(column)
    return _with_nulls(column.tolist(), null, None)


def _times(
    column: pd.Series, formatted: Callable[[np.ndarray], np.ndarray], null: Any
) -> list[Any]:
    """A column of times as text, each distinct time formatted once (imported history
    shares its import time; many resolved and closed times are null)."""
    moments = column.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[us]")
    codes, distinct = pd.factorize(moments)  # NaT gets code -1: the last entry, null
    if not len(distinct):
        return [null] * len(column)
    text = np.array([*formatted(np.asarray(distinct)).tolist(), null], dtype=object)
    values: list[Any] = text[codes].tolist()
    return values


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
