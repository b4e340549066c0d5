"""List endpoints run a fixed number of queries, however many rows a page holds (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event

from tests.factories import Actor
from ticketdesk.web.context import app_state


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    with app.app_context():
        database = app_state().database
    # Reads run on an engine of their own (see `open_database`).
    engines = {database.engine, database.read_engine}
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def _queries_for(app: Flask, actor: Actor, url: str) -> int:
    with count_queries(app) as statements:
        assert actor.get(url).status_code == 200
    assert statements, "no statement was seen: the count listens on the wrong engine"
    return len(statements)


def test_ticket_list_queries_do_not_grow_with_the_page(
    app: Flask, agent: Actor, admin: Actor
) -> None:
    agent.create_ticket(assignee_id=admin.user_id)
    small = _queries_for(app, agent, "/api/tickets")
    for _ in range(20):
        agent.create_ticket(assignee_id=admin.user_id)
    assert _queries_for(app, agent, "/api/tickets") == small <= 3


def test_comment_and_history_lists_do_not_grow(app: Flask, agent: Actor, requester: Actor) -> None:
    ticket = requester.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    agent.post(f"{url}/comments", json={"content": "first"})
    comments_small = _queries_for(app, agent, f"{url}/comments")
    history_small = _queries_for(app, agent, f"{url}/history")
    for n in range(10):
        requester.post(f"{url}/comments", json={"content": f"reply {n}"})
        agent.post(f"{url}/comments", json={"content": f"answer {n}"})
        agent.patch(url, json={"priority": ["low", "high"][n % 2]})
    assert _queries_for(app, agent, f"{url}/comments") == comments_small
    assert _queries_for(app, agent, f"{url}/history") == history_small


def test_a_ticket_opens_in_one_statement(app: Flask, agent: Actor, backend: str) -> None:
    """The ticket, its first history and its three counters: one statement
    (`tickets.opening`). On SQLite, a connection's first opening of a shape finds its TEMP
    view missing, makes it and its trigger, and runs the statement again."""
    for status, history in (("open", [None]), ("in_progress", [None, "open"])):
        with count_queries(app) as statements:
            ticket = agent.create_ticket(status=status, category="hardware")
        writes = [sql for sql in statements if not sql.startswith("SELECT users.id")]
        if backend == "postgresql":
            assert len(writes) == 1 and writes[0].startswith("WITH new_ticket"), writes
        else:
            made = [sql for sql in writes if sql.startswith("CREATE TEMP")]
            openings = [sql for sql in writes if sql not in made]
            assert all(sql.startswith('INSERT INTO "temp".ticket_opening_') for sql in openings)
            assert (len(made), len(openings)) in ((0, 1), (2, 2)), writes
        assert ticket["status"] == status
        entries = agent.get(f"/api/tickets/{ticket['id']}/history").get_json()
        assert [entry["old_value"] for entry in entries] == history
        assert [entry["new_value"] for entry in entries] == [*history[1:], status]


def test_a_comment_is_one_statement_unless_it_answers_first(
    app: Flask, agent: Actor, requester: Actor
) -> None:
    """A comment is checked against what its author may see, added, and told when its ticket
    was first answered in one statement; only an agent's first public reply goes on to note
    the first response (`aggregates.comment_added`)."""
    url = f"/api/tickets/{requester.create_ticket()['id']}/comments"

    def writes(author: Actor, body: dict[str, Any]) -> list[str]:
        with count_queries(app) as statements:
            assert author.post(url, json=body).status_code == 201
        return [sql for sql in statements if not sql.startswith("SELECT users.id")]

    first = writes(agent, {"content": "On it."})
    assert len(first) > 1 and first[0].startswith("INSERT INTO comments"), first
    for author, body in (
        (agent, {"content": "Any news?"}),
        (agent, {"content": "Checked the logs.", "internal": True}),
        (requester, {"content": "Thanks."}),
    ):
        added = writes(author, body)
        assert len(added) == 1 and added[0].startswith("INSERT INTO comments"), added
