"""Read and check an import file: every problem found, by line, before anything is stored.

The file is UTF-8 CSV with a header naming some of these columns (others are ignored):
title, description, status, category, priority, opened_at, resolved_at, closed_at,
requester_email. Required in every row: status, opened_at, requester_email, and a title or
a description. Times are ISO 8601, taken as UTC when they name no zone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email

from ticketdesk.accounts.service import normalize_email
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
    text = _decode(data)
    frame = _table(text)
    problems: list[Problem] = []
    frame = _clean_text(frame, problems)
    frame = _parse_times(frame, problems)
    _check_workflow(frame, problems)
    _check_emails(frame, problems)
    if problems:
        raise ImportRejected(problems)
    return frame


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected([Problem(line, "file", "is not UTF-8 text")]) from error


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for record in reader:
            if record:
                yield line, record
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportRejected([Problem(line, "file", f"is not valid CSV ({error})")]) from error


def _table(text: str) -> pd.DataFrame:
    records = _records(text)
    header_line, header = next(records, (1, []))
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if not {"title", "description"} & set(names):
        missing.append("title or description")
    if missing:
        raise ImportRejected(
            [Problem(header_line, "header", f"missing column {name}") for name in missing]
        )
    wanted = {name: names.index(name) for name in COLUMNS if name in names}
    lines: list[int] = []
    rows: list[list[str]] = []
    problems = []
    for line, record in records:
        if len(record) != len(header):
            problems.append(
                Problem(line, "row", f"has {len(record)} fields; the header has {len(header)}")
            )
            continue
        lines.append(line)
        rows.append([record[index] for index in wanted.values()])
    if problems:
        raise ImportRejected(problems)
    frame = pd.DataFrame(rows, columns=list(wanted), dtype=str)
    for name in COLUMNS:
        if name not in frame:
            frame[name] = ""
    frame.insert(0, "line", np.asarray(lines, dtype="int64"))
    return frame


def _flag(
    frame: pd.DataFrame, bad: pd.Series, field: str, message: str, out: list[Problem]
) -> None:
    out.extend(Problem(int(line), field, message) for line in frame.loc[bad, "line"])


def _clean_text(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    for name in COLUMNS:
        frame[name] = frame[name].str.strip()
        _flag(frame, frame[name].str.contains("\x00", regex=False), name, "has NUL", problems)
    for name in REQUIRED:
        _flag(frame, frame[name] == "", name, "is required", problems)
    no_text = (frame["title"] == "") & (frame["description"] == "")
    _flag(frame, no_text, "description", "a title or a description is required", problems)
    for name, limit in LIMITS.items():
        too_long = frame[name].str.len() > limit
        _flag(frame, too_long, name, f"is longer than {limit} characters", problems)
    frame["status"] = frame["status"].str.lower()
    frame["priority"] = frame["priority"].str.lower().replace("", Priority.NORMAL.value)
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
    emails = frame["requester_email"]
    unique = emails[emails != ""].unique()
    valid = {email: _valid_email(email) for email in unique}
    bad = emails.map(valid).eq(False)
    _flag(frame, bad, "requester_email", "is not a valid email address", problems)
    frame["requester_email"] = emails.map(normalize_email)


def _valid_email(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
