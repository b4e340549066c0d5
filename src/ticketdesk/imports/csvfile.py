"""Read and check an import file: every problem found, by line, before anything is stored.

The file is UTF-8 CSV with a header naming some of these columns (others are ignored):
title, description, status, category, priority, opened_at, resolved_at, closed_at,
requester_email. Required in every row: status, opened_at, requester_email, and a title or
a description. Times are ISO 8601, taken as UTC when they name no zone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ticketdesk.analytics.ranges import EARLIEST, LATEST
from ticketdesk.enums import ACTIVE_STATUSES, Priority, Status
from ticketdesk.tickets.models import DEFAULT_CATEGORY
from ticketdesk.tickets.service import TITLE_MAX, title_from

COLUMNS = (
    "title",
    "description",
    "status",
    "category",
    "priority",
    "opened_at",
    "resolved_at",
    "closed_at",
    "requester_email",
)
REQUIRED = ("status", "opened_at", "requester_email")
TIMES = ("opened_at", "resolved_at", "closed_at")
LIMITS = {"title": TITLE_MAX, "description": 50_000, "category": 100, "requester_email": 320}
SHOWN_PROBLEMS = 100
# local@domain.tld, checked vectorized: a million rows cannot each go through a full
# RFC 5322 validator within the import's time budget.
LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
EMAIL = rf"[a-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{LABEL}(?:\.{LABEL})+"
EMAIL_PATTERN = re.compile(EMAIL)


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.line)
        shown = "; ".join(str(problem) for problem in self.problems[:3])
        more = len(self.problems) - 3
        super().__init__(f"{shown}{f' (and {more} more)' if more > 0 else ''}")


def read(data: bytes) -> pd.DataFrame:
    """The file's rows, checked: columns line, title, description, status, category,
    priority, requester_email (text) and opened_at, resolved_at, closed_at (UTC times).
    Raises ImportRejected listing every problem."""
    body = _checked_body(data)
    frame = _table(body)
    problems: list[Problem] = []
    frame = _clean_text(frame, problems)
    frame = _parse_times(frame, problems)
    _check_workflow(frame, problems)
    _check_emails(frame, problems)
    if problems:
        raise ImportRejected(problems)
    return frame


def _checked_body(data: bytes) -> bytes:
    """The file without its byte order mark, once it is known to be UTF-8 without NUL.
    It stays bytes: pandas' parser reads UTF-8 directly, and a str copy of a large file
    would take four bytes a character."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected([Problem(line, "file", "is not UTF-8 text")]) from error
    if b"\x00" in data:
        # PostgreSQL cannot store NUL in text, and no help desk text needs it.
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportRejected([Problem(line, "file", "has a NUL character")])
    return data.removeprefix(codecs.BOM_UTF8)


def _lines(body: bytes) -> Iterator[str]:
    """The file's lines one by one (with their line breaks), decoded only when asked for."""
    start = 0
    while start < len(body):
        end = body.find(b"\n", start) + 1 or len(body)
        yield body[start:end].decode("utf-8")
        start = end


def _header(body: bytes) -> tuple[list[str], int]:
    """The header's column names (trimmed, lower case) and how many lines it spans."""
    reader = csv.reader(_lines(body), strict=True)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise ImportRejected([Problem(1, "header", f"is not valid CSV ({error})")]) from error
    return [name.strip().lower() for name in header], max(reader.line_num, 1)


def _table(body: bytes) -> pd.DataFrame:
    names, header_lines = _header(body)
    missing = [name for name in REQUIRED if name not in names]
    if not {"title", "description"} & set(names):
        missing.append("title or description")
    if missing:
        raise ImportRejected([Problem(1, "header", f"missing column {name}") for name in missing])
    raw = _parse(body, len(names))
    # Where each record starts: after the header, one line per record plus the line breaks
    # inside quoted fields of the records before it.
    breaks = np.zeros(len(raw), dtype="int64")
    if body.count(b"\n", 0, max(len(body) - 1, 0)) > header_lines + len(raw) - 1:
        for column in raw.columns:
            breaks += raw[column].str.count("\n").to_numpy(dtype="int64")
    lines = header_lines + 1 + np.arange(len(raw), dtype="int64") + np.cumsum(breaks) - breaks
    frame = pd.DataFrame({"line": lines})
    for name in COLUMNS:
        frame[name] = raw[names.index(name)] if name in names else ""  # first of duplicates
    return frame[~_blank(raw)].reset_index(drop=True)


def _blank(raw: pd.DataFrame) -> np.ndarray:
    """Rows whose every field is empty (blank lines), checking each column only on the rows
    still blank after the ones before it: after the first column, hardly any are."""
    blank = np.ones(len(raw), dtype=bool)
    for column in raw.columns:
        candidates = np.flatnonzero(blank)
        blank[candidates] = raw[column].to_numpy()[candidates] == ""
    return blank


def _parse(body: bytes, width: int) -> pd.DataFrame:
    """Every field as text, by position (pandas' C parser). Blank lines are kept as empty
    rows so that line numbers stay true; missing trailing fields are empty."""
    try:
        with warnings.catch_warnings():
            # pandas only warns when the first row is the longer one; make that an error too.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(
                io.BytesIO(body),
                encoding="utf-8",
                header=0,
                index_col=False,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="c",
            )
    except pd.errors.ParserWarning as warning:
        problem = Problem(2, "row", "has more fields than the header")
        raise ImportRejected([problem]) from warning
    except pd.errors.ParserError as error:
        found = re.search(r"(line|row) (\d+)", str(error))
        line = int(found.group(2)) + (found.group(1) == "row") if found else 1
        message = str(error).split("C error: ")[-1]
        raise ImportRejected([Problem(line, "row", message)]) from error
    raw.columns = pd.RangeIndex(width)
    return raw


def _flag(
    frame: pd.DataFrame, bad: pd.Series, field: str, message: str, out: list[Problem]
) -> None:
    out.extend(Problem(int(line), field, message) for line in frame.loc[bad, "line"])


def _each(column: pd.Series, function: Callable[[str], Any], dtype: str = "str") -> pd.Series:
    """`function` of every value, in one plain Python pass: pandas' string methods (without
    pyarrow) cost several times more per value, which at a million rows is seconds."""
    values = [function(value) for value in column.tolist()]
    return pd.Series(values, index=column.index, dtype=dtype)


def _clean_text(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    for name in COLUMNS:
        frame[name] = _each(frame[name], str.strip)
    for name in REQUIRED:
        _flag(frame, frame[name] == "", name, "is required", problems)
    no_text = (frame["title"] == "") & (frame["description"] == "")
    _flag(frame, no_text, "description", "a title or a description is required", problems)
    for name, limit in LIMITS.items():
        too_long = _each(frame[name], len, "int64") > limit
        _flag(frame, too_long, name, f"is longer than {limit} characters", problems)
    frame["status"] = _each(frame["status"], str.lower)
    frame["priority"] = _each(frame["priority"], str.lower).replace("", Priority.NORMAL.value)
    frame["category"] = frame["category"].replace("", DEFAULT_CATEGORY)
    for name, enum in (("status", Status), ("priority", Priority)):
        known = [member.value for member in enum]
        bad = ~frame[name].isin(known) & (frame[name] != "")
        _flag(frame, bad, name, "must be one of " + ", ".join(known), problems)
    untitled = frame["title"] == ""
    frame.loc[untitled, "title"] = frame.loc[untitled, "description"].map(title_from)
    return frame


def _parse_times(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    for name in TIMES:
        given = frame[name] != ""
        parsed = pd.to_datetime(
            frame[name].where(given), format="ISO8601", utc=True, errors="coerce"
        ).astype("datetime64[us, UTC]")
        _flag(frame, given & parsed.isna(), name, "is not an ISO 8601 time", problems)
        out_of_range = (parsed < EARLIEST) | (parsed >= LATEST)
        _flag(frame, out_of_range, name, f"is not between {EARLIEST.year} and 9000", problems)
        frame[name] = parsed.where(~out_of_range)
    return frame


def _check_workflow(frame: pd.DataFrame, problems: list[Problem]) -> None:
    """Times must agree with the status, as the workflow would have left them."""
    status, resolved, closed = frame["status"], frame["resolved_at"], frame["closed_at"]
    active = status.isin([value.value for value in ACTIVE_STATUSES])
    rules = [
        (active & resolved.notna(), "resolved_at", "must be empty for an active ticket"),
        (active & closed.notna(), "closed_at", "must be empty for an active ticket"),
        ((status == "resolved") & resolved.isna(), "resolved_at", "is required when resolved"),
        ((status == "resolved") & closed.notna(), "closed_at", "must be empty when resolved"),
        ((status == "closed") & closed.isna(), "closed_at", "is required when closed"),
        (resolved < frame["opened_at"], "resolved_at", "is before opened_at"),
        (closed < frame["opened_at"], "closed_at", "is before opened_at"),
        (closed < resolved, "closed_at", "is before resolved_at"),
    ]
    for bad, field, message in rules:
        _flag(frame, bad, field, message, problems)


def _check_emails(frame: pd.DataFrame, problems: list[Problem]) -> None:
    emails = _each(frame["requester_email"], str.lower)
    bad = _each(emails, _not_an_email, "bool")
    _flag(frame, bad, "requester_email", "is not a valid email address", problems)
    frame["requester_email"] = emails


def _not_an_email(email: str) -> bool:
    return email != "" and EMAIL_PATTERN.fullmatch(email) is None
