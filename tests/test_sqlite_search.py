"""SQLite's search index in its own file: writes never wait on it, searches are right whatever
state it is in, and it is brought up to date, trimmed and rebuilt by itself."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from tests.factories import Actor
from tests.test_query_counts import count_queries
from ticketdesk import sqlite_search
from ticketdesk.db import sqlite_file
from ticketdesk.tickets import search
from ticketdesk.tickets.models import Ticket


@pytest.fixture
def database_path(database_url: str) -> str:
    path = sqlite_file(database_url)
    if path is None:
        pytest.skip("SQLite's index only")
    return path


def titles(actor: Actor, text: str) -> list[str]:
    response = actor.get("/api/tickets", query_string={"q": text, "sort": "id"})
    assert response.status_code == 200, response.get_json()
    return [ticket["title"] for ticket in response.get_json()]


def index_state(database_path: str) -> tuple[int, int]:
    """The index's `indexed_through` and the number of tickets in it."""
    with sqlite3.connect(sqlite_search.index_path(database_path)) as connection:
        (indexed_through,) = connection.execute(
            "SELECT indexed_through FROM search_state"
        ).fetchone()
        (indexed,) = connection.execute("SELECT count(*) FROM ticket_search").fetchone()
    return indexed_through, indexed


def in_index(database_path: str, ticket_id: int) -> bool:
    with sqlite3.connect(sqlite_search.index_path(database_path)) as connection:
        row = connection.execute(
            "SELECT title FROM ticket_search WHERE rowid = ?", (ticket_id,)
        ).fetchone()
    return row is not None


def log_entries(database_path: str) -> int:
    with sqlite3.connect(database_path) as connection:
        (entries,) = connection.execute("SELECT count(*) FROM ticket_search_log").fetchone()
    return int(entries)


@pytest.fixture
def index_locked(database_path: str) -> Iterator[None]:
    """Another process's indexer in the middle of a batch."""
    connection = sqlite3.connect(sqlite_search.index_path(database_path), isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    yield
    connection.execute("ROLLBACK")
    connection.close()


def test_writes_do_not_wait_for_the_index(
    agent: Actor, database_path: str, index_locked: None
) -> None:
    started = time.monotonic()
    ticket = agent.create_ticket(title="Printer jam", description="tray 2")
    response = agent.patch(f"/api/tickets/{ticket['id']}", json={"title": "Scanner jam"})
    assert response.status_code == 200
    # The busy timeout is 15 s: a write queued behind the index's lock would take that long.
    assert time.monotonic() - started < 5
    assert titles(agent, "scanner") == ["Scanner jam"]
    assert titles(agent, "printer") == []
    # A busy index is left for next time, not waited for.
    assert sqlite_search.catch_up(database_path) == 0


def test_catching_up_indexes_the_logged_changes_and_trims_the_log(
    agent: Actor, database_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_search, "TRIM_AT", 1)
    for n in range(5):
        agent.create_ticket(title=f"Laptop {n}")
    sqlite_search.catch_up(database_path)
    before, indexed = index_state(database_path)
    assert (indexed, log_entries(database_path)) == (5, 0)
    for n in range(5):
        agent.create_ticket(title=f"Printer {n}")
    monkeypatch.setattr(sqlite_search, "BATCH", 2)
    monkeypatch.setattr(sqlite_search, "TRIM_AT", 3)
    assert sqlite_search.catch_up(database_path, batches=1) == 2
    assert index_state(database_path) == (before + 2, indexed + 2)
    assert log_entries(database_path) == 5  # 2 taken in, fewer than TRIM_AT: kept
    assert sqlite_search.catch_up(database_path) == 3
    assert index_state(database_path) == (before + 5, indexed + 5)
    assert log_entries(database_path) == 0
    assert titles(agent, "printer") == [f"Printer {n}" for n in range(5)]


def test_a_backlog_bigger_than_the_index_is_indexed_by_rebuilding(
    agent: Actor, database_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent.create_ticket(title="Laptop")
    sqlite_search.catch_up(database_path)
    for n in range(3):
        agent.create_ticket(title=f"Printer {n}")
    monkeypatch.setattr(sqlite_search, "BATCH", 1)
    assert sqlite_search.catch_up(database_path, batches=1) == 3  # in one go, not three
    assert index_state(database_path)[1] == 4


def test_a_backlog_smaller_than_the_index_is_indexed_batch_by_batch(
    agent: Actor, database_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        agent.create_ticket(title=f"Laptop {n}")
    sqlite_search.catch_up(database_path)
    before, indexed = index_state(database_path)
    for n in range(2):
        agent.create_ticket(title=f"Printer {n}")
    monkeypatch.setattr(sqlite_search, "BATCH", 1)
    assert sqlite_search.catch_up(database_path, batches=1) == 1  # no rebuild: one of two
    assert sqlite_search.catch_up(database_path) == 1
    assert index_state(database_path) == (before + 2, indexed + 2)
    assert titles(agent, "printer") == ["Printer 0", "Printer 1"]


def test_the_indexer_thread_keeps_up(agent: Actor, database_path: str) -> None:
    indexer = sqlite_search.Indexer(database_path, poll_s=0.05).start()
    try:
        ticket = agent.create_ticket(title="Printer jam")
        deadline = time.monotonic() + 10
        while not in_index(database_path, ticket["id"]) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        indexer.stop()
    assert in_index(database_path, ticket["id"])


def lose_the_index(database_path: str) -> None:
    index = sqlite_search.index_path(database_path)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(index + suffix):
            os.remove(index + suffix)


def test_a_lost_index_is_made_again_and_rebuilt(agent: Actor, database_path: str) -> None:
    agent.create_ticket(title="Printer jam")
    sqlite_search.catch_up(database_path)
    lose_the_index(database_path)
    # Pooled connections notice the file is gone and reconnect: finding no index, they make
    # an empty, unbuilt one and read every ticket.
    assert titles(agent, "printer") == ["Printer jam"]
    assert index_state(database_path) == (sqlite_search.UNBUILT, 0)
    sqlite_search.catch_up(database_path)
    assert index_state(database_path)[1] == 1
    assert titles(agent, "printer") == ["Printer jam"]


def test_an_unbuilt_index_counts_each_match_once(agent: Actor, database_path: str) -> None:
    agent.create_ticket(title="Printer jam")
    sqlite_search.catch_up(database_path)
    lose_the_index(database_path)
    agent.create_ticket(title="Printer toner")  # logged while the index is being made again
    response = agent.get("/api/tickets", query_string={"q": "printer", "sort": "id"})
    assert index_state(database_path) == (sqlite_search.UNBUILT, 0)
    # Both every ticket and the logged ones are checked while unbuilt: the logged ticket,
    # in both, must still count once.
    assert [ticket["title"] for ticket in response.get_json()] == ["Printer jam", "Printer toner"]
    assert response.headers["X-Total-Count"] == "2"


@pytest.fixture
def set_aside(database_path: str) -> Iterator[str]:
    """Where a damaged index is set aside (the database outlives the test: cleared after)."""
    path = f"{sqlite_search.index_path(database_path)}.damaged"
    yield path
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def damage(index: str, keep_bytes: int) -> None:
    """Overwrite the index file past its first `keep_bytes` with noise, its log folded in
    first (as after a clean shutdown), so that nothing else holds a good copy."""
    with sqlite3.connect(index) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(index)
    with open(index, "r+b") as file:
        file.seek(keep_bytes)
        file.write(bytes(range(251)) * ((size - keep_bytes) // 251 + 1))


def printers_indexed(agent: Actor, database_path: str, count: int) -> None:
    for n in range(count):
        agent.create_ticket(title=f"Printer {n}")
    sqlite_search.catch_up(database_path)


def damage_past_the_schema(database_path: str) -> None:
    """Damage the index so that attaching it works but reading its tables does not."""
    index = sqlite_search.index_path(database_path)
    with sqlite3.connect(index) as connection:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    damage(index, keep_bytes=page_size)


def test_an_index_that_is_not_a_database_is_set_aside_and_rebuilt(
    agent: Actor, database_path: str, set_aside: str, caplog: pytest.LogCaptureFixture
) -> None:
    agent.create_ticket(title="Printer jam")
    sqlite_search.catch_up(database_path)
    agent.client.application.extensions["ticketdesk"].database.dispose()  # a restart
    index = sqlite_search.index_path(database_path)
    damage(index, keep_bytes=0)

    # Every connection attaches the index: a damaged one must not keep the desk from working.
    assert titles(agent, "printer") == ["Printer jam"]
    assert agent.get("/api/health").status_code == 200
    assert os.path.exists(set_aside)
    assert "is damaged" in caplog.text
    assert index_state(database_path) == (sqlite_search.UNBUILT, 0)
    sqlite_search.catch_up(database_path)
    assert index_state(database_path)[1] == 1
    assert titles(agent, "printer") == ["Printer jam"]


def test_damage_found_while_indexing_sets_the_index_aside(
    agent: Actor, database_path: str, set_aside: str
) -> None:
    printers_indexed(agent, database_path, 3)
    assert titles(agent, "printer") == [f"Printer {n}" for n in range(3)]  # connections pooled
    damage_past_the_schema(database_path)
    agent.create_ticket(title="Printer 3")

    assert sqlite_search.catch_up(database_path) == 0
    assert os.path.exists(set_aside)
    # The pooled connections attached the damaged file; they reconnect to its replacement.
    assert titles(agent, "printer") == [f"Printer {n}" for n in range(4)]
    sqlite_search.catch_up(database_path)
    assert index_state(database_path)[1] == 4


def test_a_search_that_meets_damage_sets_the_index_aside(
    agent: Actor, database_path: str, set_aside: str
) -> None:
    printers_indexed(agent, database_path, 3)
    agent.client.application.extensions["ticketdesk"].database.dispose()  # a restart
    damage_past_the_schema(database_path)

    response = agent.get("/api/tickets", query_string={"q": "printer"})
    assert response.status_code == 503, response.get_json()
    assert response.headers["Retry-After"] == "5"
    assert "search index" in response.get_json()["detail"]
    assert os.path.exists(set_aside)
    # The next search reads every ticket, on connections that dropped the damaged file.
    assert titles(agent, "printer") == [f"Printer {n}" for n in range(3)]
    sqlite_search.catch_up(database_path)
    assert index_state(database_path)[1] == 3


def test_damage_in_the_database_itself_is_not_blamed_on_the_index(
    database_path: str, set_aside: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def batch_in_a_damaged_database(_connection: sqlite3.Connection) -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorcode = sqlite3.SQLITE_CORRUPT  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(sqlite_search, "_one_batch", batch_in_a_damaged_database)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        sqlite_search.catch_up(database_path)
    assert not os.path.exists(set_aside)


def test_the_index_log_is_cut_back_after_a_rebuild(
    agent: Actor, database_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = agent.create_ticket(title="Printer jam")
    with sqlite3.connect(database_path) as connection:
        # Copies of the one ticket with long, varied text: an index of thousands of pages.
        connection.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
            " INSERT INTO tickets (title, description, status, category, priority,"
            " requester_id, opened_at, updated_at, version)"
            " SELECT 'Copy ' || i,"
            " printf('%.2000c', char(65 + i % 26)) || i || hex(randomblob(64)),"
            " status, category, priority, requester_id, opened_at, updated_at, 1"
            " FROM tickets, n WHERE tickets.id = ?",
            (ticket["id"],),
        )
    monkeypatch.setattr(sqlite_search, "LOG_LIMIT_BYTES", 0)
    sqlite_search.catch_up(database_path)  # a rebuild: the backlog is bigger than the index
    index_log = f"{sqlite_search.index_path(database_path)}-wal"
    assert os.path.getsize(index_log) > 4_000_000
    agent.create_ticket(title="Scanner jam")
    sqlite_search.catch_up(database_path)  # the log starts over, and is cut back
    assert os.path.getsize(index_log) < 100_000


def test_an_index_from_a_later_copy_of_the_database_is_rebuilt(
    agent: Actor, database_path: str
) -> None:
    agent.create_ticket(title="Printer jam")
    sqlite_search.catch_up(database_path)
    # As if the database were restored from a backup older than the index.
    with sqlite3.connect(sqlite_search.index_path(database_path)) as connection:
        connection.execute("UPDATE search_state SET indexed_through = indexed_through + 100")
        connection.execute("INSERT INTO ticket_search (rowid, title) VALUES (999, 'Ghost')")
    sqlite_search.catch_up(database_path)
    assert index_state(database_path)[1] == 1
    assert titles(agent, "ghost") == []


def test_a_built_index_spares_the_search_reading_every_ticket(
    agent: Actor, database_path: str, session: Session
) -> None:
    """The branch that reads every ticket while the index is unbuilt is cut off by a
    condition SQLite tests before the loop: counted in virtual machine steps, a search costs
    the same however many tickets there are."""
    for n in range(300):
        agent.create_ticket(title=f"Laptop {n}", description="keyboard")
    sqlite_search.catch_up(database_path)
    query = search.narrowed(select(Ticket.id), dialect="sqlite")
    query = query.params(search.text_values("printer"))
    sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))

    def steps() -> int:
        connection = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
        sqlite_search.attach(connection, database_path)
        count = [0]

        def tick() -> int:
            count[0] += 1
            return 0

        connection.set_progress_handler(tick, 1)
        assert connection.execute(sql).fetchall() == []
        connection.close()
        return count[0]

    built = steps()
    for n in range(300):
        agent.create_ticket(title=f"Screen {n}", description="flicker")
    sqlite_search.catch_up(database_path)
    assert steps() < built + 100  # twice the tickets, (nearly) the same work
    with sqlite3.connect(sqlite_search.index_path(database_path)) as connection:
        connection.execute("UPDATE search_state SET indexed_through = -1")
    assert steps() > built + 4 * 600  # what the condition spares: reading each ticket


def test_a_common_text_is_walked_in_the_pages_order_a_rare_one_is_not() -> None:
    first_page = search.walk_pays_from(rows=25, newest_id=1_000_000)
    # 135,000 of a million tickets: a page is found after ~185 steps of a walk.
    assert first_page <= 135_000
    # 67 of a million: a walk would read nearly every ticket; sorting 67 costs nothing.
    assert first_page > 67
    # The deeper the page, the longer the walk.
    assert search.walk_pays_from(rows=100_000, newest_id=1_000_000) > 5_000


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL of each statement the app runs meanwhile (see `found_by`)."""
    with count_queries(app) as run:
        yield run


def found_by(statements: list[str]) -> list[str]:
    """How a search in `statements` found its page: the matches "listed" from the index or
    the tickets "checked" one by one first, then the page found "among" them, or "sorted"
    (every match looked up and sorted), "walked" in the page's order testing each ticket
    against every match, or "checked" by a walk checking each ticket for the text."""
    steps = []
    for sql in statements:
        if sql.startswith(_PAGE):
            steps.append(_page_found_by(sql))
        elif sql.startswith("SELECT count"):
            continue
        elif "search.ticket_search.rowid" in sql:
            steps.append("listed")
        elif sql.startswith("SELECT tickets.id") and "ticketdesk_contains" in sql:
            steps.append("checked")
    return steps


_PAGE = "SELECT tickets.id, tickets.title"


def _page_found_by(sql: str) -> str:
    if "json_each" in sql:
        return "among"
    if "tickets.id + 0 IN" in sql:
        return "walked"
    if "ticketdesk_contains" in sql and "ticket_search" not in sql:
        return "checked"
    return "sorted"


def _printers_page(agent: Actor, sort: str, *, page: int = 2, **filters: str) -> list[str]:
    """The titles on `page` (7 a page) of the search for "printer"."""
    response = agent.get(
        "/api/tickets",
        query_string={"q": "printer", "sort": sort, "per_page": 7, "page": page, **filters},
    )
    assert response.status_code == 200, response.get_json()
    return [ticket["title"] for ticket in response.get_json()]


def _walks_forced(monkeypatch: pytest.MonkeyPatch, *, check: bool, walk: bool) -> None:
    monkeypatch.setattr(search, "checking_pays_from", lambda **_k: 0 if check else 10**9)
    monkeypatch.setattr(search, "walk_pays_from", lambda **_k: 0 if walk else 10**9)


@pytest.mark.parametrize("narrowed", [False, True], ids=["every-ticket", "filtered"])
@pytest.mark.parametrize("sort", ["-opened_at", "id"])
def test_every_way_of_finding_a_page_finds_the_same(
    agent: Actor,
    database_path: str,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    sort: str,
    narrowed: bool,
) -> None:
    for n in range(40):
        agent.create_ticket(title=f"Printer {n}" if n % 4 else f"Screen {n}", category="hardware")
    sqlite_search.catch_up(database_path)
    # The first matches listed stop short of the 30 (an agent's search of every ticket), and
    # the filters leave too many tickets to check each (a filtered one).
    monkeypatch.setattr(search, "COUNT_UP_TO", 3)
    monkeypatch.setattr(search, "CHECK_EACH_UP_TO", -1)
    filters = {"category": "hardware"} if narrowed else {}

    def page(*, check: bool, walk: bool) -> list[str]:
        _walks_forced(monkeypatch, check=check, walk=walk)
        statements.clear()
        return _printers_page(agent, sort, **filters)

    expected = [f"Printer {n}" for n in range(40) if n % 4]
    if sort.startswith("-"):
        expected.reverse()
    listed = [] if narrowed else ["listed"]
    assert page(check=False, walk=False) == expected[7:14]
    # Listed as far as a walk would not pay: every match, here.
    assert found_by(statements) == (["sorted"] if narrowed else ["listed", "among"])
    assert page(check=False, walk=True) == expected[7:14]
    assert found_by(statements) == [*listed, "walked"]
    assert page(check=True, walk=True) == expected[7:14]
    assert found_by(statements) == [*listed, "checked"]


@pytest.mark.parametrize("sort", ["-opened_at", "id"])
def test_a_checked_walk_gives_up_where_the_matches_lie_further(
    agent: Actor,
    database_path: str,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    sort: str,
) -> None:
    # The matches bunched at one end: the ten newest tickets hold none.
    for n in range(40):
        agent.create_ticket(title=f"Printer {n}" if n < 30 else f"Screen {n}")
    sqlite_search.catch_up(database_path)
    monkeypatch.setattr(search, "COUNT_UP_TO", 3)
    _walks_forced(monkeypatch, check=True, walk=True)
    looked_up = _printers_page(agent, sort)
    assert found_by(statements) == ["listed", "checked"] and len(looked_up) == 7
    # Twelve tickets from either end hold fewer than the page's 14 matches: it gives up,
    # and walks testing each ticket against the matches.
    monkeypatch.setattr(search, "checked_walk_windows", lambda **_k: [12])
    statements.clear()
    assert _printers_page(agent, sort) == looked_up
    assert found_by(statements) == ["listed", "checked", "walked"]
    # Given a wider window after it, it walks that far checked instead: 24 tickets from
    # either end hold the 14.
    monkeypatch.setattr(search, "checked_walk_windows", lambda **_k: [12, 24])
    statements.clear()
    assert _printers_page(agent, sort) == looked_up
    assert found_by(statements) == ["listed", "checked", "checked"]


@pytest.mark.parametrize("sort", ["-opened_at", "id"])
def test_a_first_page_walks_on_from_where_its_window_stopped(
    agent: Actor,
    database_path: str,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
    sort: str,
) -> None:
    # The matches sparse at either end: two of the twelve newest (and oldest) tickets.
    for n in range(40):
        holds = 2 <= n < 38 and n not in range(4, 12) and n not in range(28, 36)
        agent.create_ticket(title=f"Printer {n}" if holds else f"Screen {n}")
    sqlite_search.catch_up(database_path)
    monkeypatch.setattr(search, "COUNT_UP_TO", 3)
    _walks_forced(monkeypatch, check=True, walk=True)

    def first_page() -> list[str]:
        statements.clear()
        return _printers_page(agent, sort, page=1)

    looked_up = first_page()
    assert len(looked_up) == 7 and found_by(statements) == ["listed", "checked"]
    key = "tickets.opened_at" if sort.startswith("-") else "tickets.id"
    # Five tickets hold two matches and twelve still two: each wider window is walked from
    # where the one before it stopped (bound on both sides), the last to the end when it
    # reaches past the last ticket.
    for windows, bounds in (([5, 12, 24], [1, 2, 2]), ([5, 12, 100], [1, 2, 1])):
        monkeypatch.setattr(search, "checked_walk_windows", lambda w=windows, **_k: w)
        assert first_page() == looked_up
        assert found_by(statements) == ["listed", "checked", "checked", "checked"]
        pages = [sql for sql in statements if sql.startswith(_PAGE)]
        assert [_bounds_on(sql, key) for sql in pages] == bounds


def _bounds_on(sql: str, key: str) -> int:
    """How many of a walk's two bounds `sql` puts on the sort key `key`."""
    return sum(f"{key} {op} ?" in sql for op in ("<", ">", "<=", ">="))


@pytest.mark.parametrize("checked", [False, True], ids=["against-matches", "checked"])
def test_a_walked_page_follows_the_index_of_its_order(
    session: Session, database_path: str, checked: bool
) -> None:
    order = (Ticket.opened_at.desc(), Ticket.id.desc())
    if checked:  # as far as a ticket's time
        within = select(Ticket.id).where(Ticket.opened_at >= literal_column("'2024-01-01'"))
        query = search.each_checked(within, dialect="sqlite")
    else:
        query = search.narrowed(select(Ticket.id), dialect="sqlite", walk=True)
    page = query.order_by(*order).limit(25).params(search.text_values("printer"))
    sql = str(page.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    with sqlite3.connect(f"file:{database_path}?mode=ro", uri=True) as connection:
        sqlite_search.attach(connection, database_path)
        plan = " / ".join(row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql))
    assert "ix_tickets_opened_at" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # no sorting of every match


def test_text_too_short_for_the_index_is_never_walked(
    agent: Actor, database_path: str, monkeypatch: pytest.MonkeyPatch, statements: list[str]
) -> None:
    agent.create_ticket(title="Printer")
    _walks_forced(monkeypatch, check=True, walk=True)
    assert titles(agent, "pr") == ["Printer"]
    # Compared with every ticket, and the page found among the matches: there is no index
    # to walk by.
    assert found_by(statements) == ["among"]


def test_few_tickets_are_each_checked_rather_than_looked_up(
    agent: Actor,
    requester: Actor,
    database_path: str,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
) -> None:
    for n in range(3):
        agent.create_ticket(title=f"Printer {n}", category="hardware" if n else "general")
    requester.create_ticket(title="My printer")
    sqlite_search.catch_up(database_path)
    assert titles(requester, "printer") == ["My printer"]  # their own one ticket: checked
    assert found_by(statements) == ["checked", "among"]
    statements.clear()
    assert len(titles(agent, "printer")) == 4  # every ticket: listed from the index
    assert found_by(statements) == ["listed", "among"]
    statements.clear()
    response = agent.get("/api/tickets", query_string={"q": "printer", "category": "hardware"})
    assert [ticket["title"] for ticket in response.get_json()] == ["Printer 2", "Printer 1"]
    assert found_by(statements) == ["checked", "among"]  # two tickets in the category
    monkeypatch.setattr(search, "CHECK_EACH_UP_TO", 1)
    statements.clear()
    response = agent.get("/api/tickets", query_string={"q": "printer", "category": "hardware"})
    assert response.headers["X-Total-Count"] == "2"
    assert found_by(statements) == ["sorted"]  # more than the limit: looked up


def test_a_checked_walk_widens_while_it_costs_less_than_testing_every_match() -> None:
    # A word in 130,000 of a million tickets: about 770 tickets hold 25 of them evenly
    # spread; a walk of 8 x that checked still costs less than reading the 130,000.
    windows = search.checked_walk_windows(rows=25, newest_id=1_000_000, matches=130_000)
    assert windows == [794, 6_352]
    # Rarer: the first window is already as dear as testing every match.
    assert search.checked_walk_windows(rows=25, newest_id=1_000_000, matches=15_000) == [6_691]
