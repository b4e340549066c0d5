"""SQLite's text-search index: a file of its own beside the database, brought up to date off
the request path.

Kept by triggers inside the database (migration 0101), the FTS5 trigram index made every
write that created a ticket or changed its text pay for indexing it, and FTS5 merges its
segments inside whichever write comes along: at a million tickets that was a fifth of a
create's CPU, and single creates stalled 30-180 ms behind merges while every other writer
waited on the same lock (bench/RESULTS.md, session 6). Now the triggers only note which
tickets changed, in `ticket_search_log` (migration 0102), and each server process runs an
`Indexer` that brings the index in `<database>-search` up to date from that log, a batch per
transaction, holding only that file's write lock: ticket writes never wait on it.

Searches see the index as of its last batch and check the tickets changed since then one by
one (`ticketdesk.tickets.search`), so a ticket is found as soon as its write commits. Nothing
in the index file is the only copy of anything: a file that is missing is made again, and an
index that is unbuilt, from a later copy of the database, or further behind than the desk is
big is rebuilt from `tickets`; a damaged one is set aside and rebuilt.

Request connections attach the file read-only: SQLite's BEGIN IMMEDIATE takes the write lock
of every database attached read-write, which would put ticket writes behind the indexer
again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from urllib.parse import quote

from ticketdesk.files import file_identity

LOG_TABLE = "ticket_search_log"
SCHEMA = "search"
INDEX_TABLE = "ticket_search"
STATE_TABLE = "search_state"
# The SQL function a search applies to the tickets changed since the last batch.
CONTAINS = "ticketdesk_contains"
# `indexed_through` of an index that holds nothing yet: every search reads every ticket.
UNBUILT = -1
# Log entries indexed per transaction: big enough that FTS5 writes one segment for many
# tickets (its merge work grows with the number of segments), small enough that a batch
# holds the index's lock for well under a second.
BATCH = 2_000
# How often each process's indexer looks for new entries.
POLL_S = 0.5
# The log's indexed entries are deleted once this many have piled up.
TRIM_AT = 1_000
# What the index file's write-ahead log is cut back to when it starts over.
LOG_LIMIT_BYTES = 16 * 1024 * 1024

logger = logging.getLogger(__name__)

# `indexed_through`: the log's last entry the index has taken in (UNBUILT: none, and the
# tickets from before the log are not in it either).
_SCHEMA_SQL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS {schema}.ticket_search"
    " USING fts5(title, description, tokenize='trigram')",
    "CREATE TABLE IF NOT EXISTS {schema}.search_state ("
    " only INTEGER PRIMARY KEY CHECK (only = 1), indexed_through INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO {schema}.search_state VALUES (1, -1)",
)


def index_path(database_path: str) -> str:
    """The index file of the database at `database_path`."""
    return f"{database_path}-search"


def attach(dbapi_connection: sqlite3.Connection, database_path: str | None) -> None:
    """Give a newly opened connection the index, read-only, as schema `search`, and the
    function searches use on tickets not indexed yet. An in-memory database gets an empty,
    unbuilt index of its own."""
    dbapi_connection.create_function(CONTAINS, 3, contains, deterministic=True)
    if database_path is None:
        dbapi_connection.execute("ATTACH ':memory:' AS search")
        _create_schema(dbapi_connection, SCHEMA)
        return
    _attach_index(dbapi_connection, database_path, "ro")


def contains(title: str | None, description: str | None, folded_text: str) -> bool:
    """Whether `folded_text` (lower case) is in the title or description, in any case: what
    the trigram tokenizer's case folding finds."""
    return any(
        column is not None and folded_text in column.lower() for column in (title, description)
    )


def catch_up(database_path: str, *, batches: int | None = None, busy_timeout_s: float = 0) -> int:
    """Index the logged changes not indexed yet, a batch per transaction, up to `batches`
    batches (all of them if None); rebuild the index instead when it is unbuilt, from a later
    copy of the database, or behind by more tickets than it holds. Returns how many log
    entries were taken in; 0 also when another process holds the index's write lock longer
    than `busy_timeout_s`."""
    taken = 0
    with _indexer_connection(database_path, busy_timeout_s) as connection:
        attached = index_identity(database_path)
        try:
            while batches is None or batches > 0:
                done = _one_batch(connection)
                if done is None:
                    break
                taken += done
                if batches is not None:
                    batches -= 1
        except sqlite3.DatabaseError as error:
            if not _set_aside_if_index_fails(connection, database_path, attached, error):
                raise
            return taken
        _trim_log(connection)
    return taken


def set_aside_if_damaged(database_path: str, error: BaseException | None) -> bool:
    """After a search failed with `error`: whether the index is damaged, checked on a
    connection of its own. If it is, it is set aside: the indexer rebuilds it, and pooled
    connections drop the damaged file at their next checkout. Damage in the database itself
    is left to the caller."""
    if not isinstance(error, sqlite3.DatabaseError) or not _is_damaged(error):
        return False  # not worth a connection and a check
    found = index_identity(database_path)
    with _indexer_connection(database_path, busy_timeout_s=0) as connection:
        return _set_aside_if_index_fails(connection, database_path, found, error)


def _set_aside_if_index_fails(
    connection: sqlite3.Connection,
    database_path: str,
    found: tuple[int, int] | None,
    error: sqlite3.DatabaseError,
) -> bool:
    """Set the index `found` aside if `error` is damage and the index `connection` attached
    fails its check; whether it was. Damage may be in the database itself, which is no
    business of the index's."""
    if not (_is_damaged(error) and _index_is_damaged(connection)):
        return False
    _set_aside(index_path(database_path), found, error)
    return True


def _index_is_damaged(connection: sqlite3.Connection) -> bool:
    try:
        found = connection.execute("PRAGMA search.quick_check").fetchall()
    except sqlite3.DatabaseError as error:
        return _is_damaged(error)
    return found != [("ok",)]


def _one_batch(connection: sqlite3.Connection) -> int | None:
    """One transaction's work; the number of log entries taken in, None if there were none
    or the index is busy."""
    try:
        connection.execute("BEGIN")
        # A write first, so that the index's write lock is taken before anything of it is
        # read: a read snapshot could otherwise be too old to write from.
        connection.execute("UPDATE search.search_state SET indexed_through = indexed_through")
    except sqlite3.OperationalError as error:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        if _is_busy(error):
            return None
        raise
    try:
        taken = _index_pending(connection)
        connection.execute("COMMIT" if taken else "ROLLBACK")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return taken or None


def _index_pending(connection: sqlite3.Connection) -> int:
    indexed_through = _indexed_through(connection)
    newest = _newest_entry(connection)
    pending = newest - max(indexed_through, 0)
    if (
        indexed_through == UNBUILT
        or indexed_through > newest
        # Its largest id is at least how many tickets it holds, and is read from the end of
        # its rowid order: counting them read all of it, 0.4 s at a million tickets, at
        # every batch of a backlog longer than one.
        or (pending > BATCH and pending > _largest_indexed_id(connection))
    ):
        _rebuild(connection, newest)
        return max(pending, 1)
    if pending == 0:
        return 0
    through = min(newest, indexed_through + BATCH)
    connection.execute(
        "DELETE FROM search.ticket_search WHERE rowid IN ("
        " SELECT ticket_id FROM main.ticket_search_log WHERE seq > ? AND seq <= ?)",
        (indexed_through, through),
    )
    connection.execute(
        "INSERT INTO search.ticket_search (rowid, title, description)"
        " SELECT id, title, description FROM main.tickets WHERE id IN ("
        " SELECT ticket_id FROM main.ticket_search_log WHERE seq > ? AND seq <= ?)",
        (indexed_through, through),
    )
    _set_indexed_through(connection, through)
    return through - indexed_through


def _rebuild(connection: sqlite3.Connection, newest: int) -> None:
    logger.info("rebuilding the search index from every ticket")
    # Dropped rather than emptied: an FTS5 table with content deletes row by row.
    connection.execute("DROP TABLE search.ticket_search")
    _create_schema(connection, SCHEMA)
    connection.execute(
        "INSERT INTO search.ticket_search (rowid, title, description)"
        " SELECT id, title, description FROM main.tickets"
    )
    _set_indexed_through(connection, newest)


def _indexed_through(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT indexed_through FROM search.search_state").fetchone()
    return int(row[0])


def _newest_entry(connection: sqlite3.Connection) -> int:
    """The last sequence number the log has handed out, trimmed entries included."""
    row = connection.execute(
        "SELECT seq FROM main.sqlite_sequence WHERE name = ?", (LOG_TABLE,)
    ).fetchone()
    return int(row[0]) if row else 0


def _largest_indexed_id(connection: sqlite3.Connection) -> int:
    row = connection.execute(
        "SELECT rowid FROM search.ticket_search ORDER BY rowid DESC LIMIT 1"
    ).fetchone()
    return int(row[0]) if row else 0


def _set_indexed_through(connection: sqlite3.Connection, seq: int) -> None:
    connection.execute("UPDATE search.search_state SET indexed_through = ?", (seq,))


def _trim_log(connection: sqlite3.Connection) -> None:
    """Delete the entries the index has taken in, once enough have piled up. This writes to
    the database itself, outside the writers' turns (`sqlite_turns`), so it is kept rare
    and short, and given up for next time if the database is busy."""
    indexed_through = _indexed_through(connection)
    (oldest,) = connection.execute("SELECT min(seq) FROM main.ticket_search_log").fetchone()
    if oldest is None or indexed_through - oldest + 1 < TRIM_AT:
        return
    try:
        with connection:
            connection.execute(
                "DELETE FROM main.ticket_search_log WHERE seq <= ?", (indexed_through,)
            )
    except sqlite3.OperationalError as error:
        if not _is_busy(error):
            raise


class Indexer:
    """A daemon thread keeping one database's search index up to date. Every server process
    runs one; they share the work through the index's write lock (a process that finds it
    taken tries again at its next poll)."""

    def __init__(self, database_path: str, poll_s: float = POLL_S) -> None:
        self._database_path = database_path
        self._poll_s = poll_s
        self._stop = threading.Event()
        self._failing = False
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)

    def start(self) -> Indexer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                # A few batches per poll, so that a backlog does not keep the thread from
                # noticing it is asked to stop.
                catch_up(self._database_path, batches=10)
            except (sqlite3.Error, OSError) as error:
                # An outage: the database is gone or unreadable. Say so once, not each poll.
                if not self._failing:
                    logger.warning("search index not updated: %s", error)
                self._failing = True
                continue
            if self._failing:
                logger.info("search index updated again")
            self._failing = False


@contextlib.contextmanager
def _indexer_connection(database_path: str, busy_timeout_s: float) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(
        _uri(database_path, "rw"),
        uri=True,
        isolation_level=None,
        timeout=busy_timeout_s,
        check_same_thread=False,
    )
    try:
        _attach_index(connection, database_path, "rw")
        # The index is rebuilt from the tickets if it is ever lost: a crash may take its last
        # batches with it (they are indexed again), the database's own commits are untouched.
        connection.execute("PRAGMA search.synchronous=NORMAL")
        # A rebuild writes the whole index through the log (670 MB at a million tickets);
        # without a limit the log file would keep that size once copied back.
        connection.execute(f"PRAGMA search.journal_size_limit={LOG_LIMIT_BYTES}")
        yield connection
    finally:
        connection.close()


def _attach_index(connection: sqlite3.Connection, database_path: str, mode: str) -> None:
    """Attach the index as schema `search`: made if missing, set aside and made again if it
    is not a readable database."""
    path = index_path(database_path)
    if not os.path.exists(path):
        _create_index_file(path)
    found = file_identity(path)
    try:
        connection.execute("ATTACH ? AS search", (_uri(path, mode),))
    except sqlite3.DatabaseError as error:
        if not _is_damaged(error):
            raise
        _set_aside(path, found, error)
        connection.execute("ATTACH ? AS search", (_uri(path, mode),))


def index_identity(database_path: str) -> tuple[int, int] | None:
    """Which file the index is (device and inode); None if there is none. A connection that
    attached another file than this one is reading an index that was set aside."""
    return file_identity(index_path(database_path))


def _set_aside(path: str, found: tuple[int, int] | None, error: sqlite3.Error) -> None:
    """Move a damaged index out of the way, as `<index>.damaged`, and put an empty, unbuilt
    one in its place for the indexer to rebuild. Only the file found damaged is moved: if
    another process has already replaced it, its replacement stays."""
    if found is not None and file_identity(path) == found:
        logger.warning("search index %s is damaged (%s): set aside, rebuilding it", path, error)
        os.replace(path, f"{path}.damaged")
        # Its log and shared memory belong to the damaged file, and would be read as the
        # new file's own.
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path + suffix)
    if not os.path.exists(path):
        _create_index_file(path)


def _is_damaged(error: sqlite3.Error) -> bool:
    return _has_code(error, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)


def _create_index_file(path: str) -> None:
    """Make an empty, unbuilt index at `path`, unless one appears there meanwhile: it is
    built aside and linked into place, so that no process attaches a file without tables."""
    draft = f"{path}.{os.getpid()}.{threading.get_ident()}.new"
    try:
        connection = sqlite3.connect(draft, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            _create_schema(connection, "main")
        finally:
            connection.close()
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(draft)


def _create_schema(connection: sqlite3.Connection, schema: str) -> None:
    for statement in _SCHEMA_SQL:
        connection.execute(statement.format(schema=schema))


def _uri(path: str, mode: str) -> str:
    return f"file:{quote(path)}?mode={mode}"


def _is_busy(error: sqlite3.Error) -> bool:
    return _has_code(error, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _has_code(error: sqlite3.Error, *codes: int) -> bool:
    """Whether SQLite raised `error` with one of these primary codes. The low byte of the
    extended code is the primary one: SQLITE_BUSY_SNAPSHOT is busy, SQLITE_CORRUPT_INDEX
    corrupt. An error raised by Python code, not SQLite, has no code."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in codes
