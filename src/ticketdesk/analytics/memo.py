"""Figures answered again from memory while the aggregates they were computed from stand.

A dashboard asks the same few questions over and over, and between two asks the answer
changes only if a ticket did. Each figure's view names the kinds of aggregate it reads
(`remembered(Kind...)`); its answer is kept, per request (path, query, Accept, UTC day),
with the change counts of those kinds (`changes`). A later request whose counts are the same
gets the kept answer: it is the one the database would give, since every change to those
aggregates adds to their counts in its own transaction, and the counts only grow.

The counts are read before and after the figure is computed, each by a statement of its own
(the analytics read in autocommit, each statement its own snapshot). An answer is kept only
when the two agree: then no change to what it read committed while it was computed, so it
is exactly the answer for those counts. What is kept is in each process's memory, bounded,
but what decides whether it still holds is in the database, so every worker agrees.

A request with `Cache-Control: no-cache` is computed afresh (and kept for the next).

A request signed with a bearer token is left by the guard to find who is asking itself
(`guards.finds_caller_itself`): the counts are read in the same statement as its caller when
the analytics read the app's own database, so an answer from memory costs one statement.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields
from functools import cache, wraps
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import Connection

from ticketdesk.accounts.actor import Caller
from ticketdesk.accounts.service import CALLER_BY_TOKEN, token_hash
from ticketdesk.analytics import changes
from ticketdesk.analytics.changes import Kind
from ticketdesk.db import utcnow
from ticketdesk.precompiled import Precompiled
from ticketdesk.web.context import analytics_connection, app_state
from ticketdesk.web.guards import (
    accept_bearer_token,
    accept_caller,
    finds_caller_itself,
    unchecked_bearer_token,
)

# A few dozen distinct questions make a busy dashboard; the answers are kilobytes.
ENTRIES = 256
_EXTENSION = "ticketdesk_analytics_memo"

View = Callable[..., Response]


@dataclass(frozen=True)
class _Kept:
    """A 200 answer (only those are kept), with the counts it was computed at."""

    counts: tuple[int, ...]
    headers: list[tuple[str, str]]
    body: bytes

    def response(self) -> Response:
        return Response(self.body, headers=self.headers)


class Memo:
    """The last `entries` answers, least recently used first out."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self._entries = entries
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def put(self, key: Hashable, kept: _Kept) -> None:
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self._entries:
                self._kept.popitem(last=False)


def remembered(*kinds: Kind) -> Callable[[View], View]:
    """Keep the view's answers while the counts of `kinds` (what it reads) stay the same."""

    def decorate(view: View) -> View:
        @wraps(view)
        def answer(*args: Any, **kwargs: Any) -> Response:
            return _answer(kinds, lambda: view(*args, **kwargs))

        return finds_caller_itself(answer)

    return decorate


def _answer(kinds: tuple[Kind, ...], compute: Callable[[], Response]) -> Response:
    memo: Memo | None = current_app.extensions.get(_EXTENSION)
    if memo is None:  # the app's first analytics request (two threads may both make one)
        memo = current_app.extensions.setdefault(_EXTENSION, Memo())
    connection = analytics_connection()
    counts = _counts_and_caller(connection, kinds)
    key = (request.path, request.query_string, request.headers.get("Accept"), utcnow().date())
    kept = None if request.cache_control.no_cache else memo.get(key)
    if kept is not None and kept.counts == counts:
        return kept.response()
    response = compute()
    if response.status_code == 200 and changes.counts(connection, kinds) == counts:
        memo.put(key, _Kept(counts, list(response.headers), response.get_data()))
    return response


def _counts_and_caller(connection: Connection, kinds: tuple[Kind, ...]) -> tuple[int, ...]:
    """The counts of `kinds`, and, for a request whose bearer token the guard left to the
    view (`finds_caller_itself`), who is asking, accepted as the caller first: found in the
    same statement when the analytics read the app's own database. On PostgreSQL that spares
    an answer from memory a round trip of two, and a pooled connection of two."""
    token = unchecked_bearer_token()
    if token is None:
        return changes.counts(connection, kinds)
    state = app_state()
    if state.analytics_database is not state.database:
        accept_bearer_token(token)
        return changes.counts(connection, kinds)
    row = _caller_and_counts(kinds).first(connection, {"token_hash": token_hash(token)})
    width = len(fields(Caller))
    accept_caller(None if row is None else Caller(*row[:width]))  # 401 or 403 if not let in
    return () if row is None else tuple(int(count) for count in row[width:])


@cache
def _caller_and_counts(kinds: tuple[Kind, ...]) -> Precompiled:
    return Precompiled(CALLER_BY_TOKEN.add_columns(*changes.count_columns(kinds)))
