"""Figures answered from memory: kept while what they read stands, never once it changed.

To tell a kept answer from a computed one, the tests change a counter behind the app's
back (an UPDATE that no change count follows): a kept answer does not show it, a computed
one does.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Response
from sqlalchemy import text

from tests.factories import Actor
from tests.test_query_counts import count_queries
from ticketdesk.accounts.service import revoke_raw_token
from ticketdesk.analytics import changes, memo
from ticketdesk.analytics.changes import Kind
from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.db import Database


def _behind_the_back(database: Database, sql: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(sql))


def _active(agent: Actor, **headers: str) -> dict[str, int]:
    response = agent.get("/api/analytics/active_by_category", headers=headers)
    assert response.status_code == 200
    return {row["category"]: row["count"] for row in response.get_json()}


def _counts(database: Database) -> dict[Kind, int]:
    with database.engine.connect() as connection:
        return changes.counted_now(connection)


def test_an_answer_is_kept_until_a_ticket_changes(agent: Actor, database: Database) -> None:
    agent.create_ticket(category="network")
    assert _active(agent) == {"network": 1}
    _behind_the_back(database, "UPDATE analytics_status_counts SET tickets = tickets + 5")
    assert _active(agent) == {"network": 1}  # kept: no change was counted
    assert _active(agent, **{"Cache-Control": "no-cache"}) == {"network": 6}
    agent.create_ticket(category="network")
    assert _active(agent) == {"network": 7}  # the create's count made it compute again


def test_each_request_is_kept_apart(agent: Actor, database: Database) -> None:
    agent.create_ticket(category="network")
    agent.create_ticket(category="billing")
    assert _active(agent) == {"network": 1, "billing": 1}
    only = agent.get("/api/analytics/active_by_category?category=billing")
    assert only.get_json() == [{"category": "billing", "count": 1}]
    csv = agent.get("/api/analytics/active_by_category", headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv"
    assert agent.get("/api/analytics/active_by_category").mimetype == "application/json"


def test_a_kept_answer_carries_the_views_headers(agent: Actor) -> None:
    for _ in range(3):
        agent.create_ticket(category="network")
        ticket = agent.create_ticket(category="network")
        agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "closed"})
    first = agent.get("/api/analytics/resolution_times?per_page=2")
    again = agent.get("/api/analytics/resolution_times?per_page=2")
    assert again.get_json() == first.get_json()
    for name in ("Link", "X-Total-Count", "Content-Type", "Vary"):
        assert again.headers.get(name) == first.headers.get(name), name


def test_a_new_ticket_leaves_the_resolution_figures_kept(agent: Actor, database: Database) -> None:
    ticket = agent.create_ticket(category="network")
    agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "closed"})

    def resolved(**headers: str) -> int:
        response = agent.get("/api/analytics/resolution_times/summary", headers=headers)
        return sum(row["count"] for row in response.get_json())

    assert resolved() == 1
    _behind_the_back(database, "UPDATE analytics_resolved_months SET tickets = tickets + 5")
    agent.create_ticket(category="network")  # no resolution changed: the summary stands
    assert resolved() == 1
    assert resolved(**{"Cache-Control": "no-cache"}) == 6


def test_each_kind_of_change_is_counted(agent: Actor, requester: Actor, database: Database) -> None:
    start = _counts(database)
    ticket = requester.create_ticket(category="network")
    created = _counts(database)
    assert created[Kind.TICKETS] == start[Kind.TICKETS] + 1
    assert created[Kind.RESOLUTIONS] == start[Kind.RESOLUTIONS]
    agent.post(f"/api/tickets/{ticket['id']}/comments", json={"content": "on it"})
    replied = _counts(database)
    assert replied[Kind.FIRST_RESPONSES] == created[Kind.FIRST_RESPONSES] + 1
    agent.post(f"/api/tickets/{ticket['id']}/comments", json={"content": "still on it"})
    assert _counts(database) == replied  # not the first reply: no figure changed
    agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "closed"})
    resolved = _counts(database)
    assert resolved[Kind.RESOLUTIONS] == replied[Kind.RESOLUTIONS] + 1
    assert resolved[Kind.TICKETS] > replied[Kind.TICKETS]  # its old and new status rows
    agent.patch(f"/api/tickets/{ticket['id']}", json={"title": "A better title"})
    assert _counts(database) == resolved


def test_a_rebuild_counts_every_kind(agent: Actor, requester: Actor, database: Database) -> None:
    agent.create_ticket(category="network")
    done = requester.create_ticket(category="billing")
    agent.post(f"/api/tickets/{done['id']}/comments", json={"content": "on it"})
    agent.patch(f"/api/tickets/{done['id']}", json={"status": "closed"})
    assert _active(agent) == {"network": 1, "billing": 0}
    _behind_the_back(database, "UPDATE analytics_status_counts SET tickets = tickets + 5")
    before = _counts(database)
    with database.engine.begin() as connection:
        rebuild_all(connection)
    assert all(count > before[kind] for kind, count in _counts(database).items())
    # computed again, from the rebuilt counters
    assert _active(agent) == {"network": 1, "billing": 0}


def test_an_answer_computed_across_a_change_is_not_kept(
    app: Flask, agent: Actor, database: Database
) -> None:
    agent.create_ticket(category="network")
    computed = 0

    def compute_while_a_ticket_is_created() -> Response:
        nonlocal computed
        computed += 1
        agent.create_ticket(category="network")
        return Response("[]", mimetype="application/json")

    headers = {"Authorization": f"Bearer {agent.token}"}
    for _ in range(2):
        with app.test_request_context("/api/analytics/x", headers=headers):
            memo._answer((Kind.TICKETS,), compute_while_a_ticket_is_created)
    assert computed == 2


def test_an_answer_computed_with_nothing_changing_is_kept(
    app: Flask, agent: Actor, database: Database
) -> None:
    computed = 0

    def compute() -> Response:
        nonlocal computed
        computed += 1
        return Response("[]", mimetype="application/json")

    for _ in range(3):
        with app.test_request_context("/api/analytics/x"):
            memo._answer((Kind.TICKETS,), compute)
    assert computed == 1


def test_concurrent_writers_lose_no_count(agent: Actor, database: Database) -> None:
    before = _counts(database)
    errors: list[Any] = []

    def create(times: int) -> None:
        client = agent.client.application.test_client()
        for _ in range(times):
            response = client.post(
                "/api/tickets",
                json={"title": "t", "description": "d", "category": "c"},
                headers={"Authorization": f"Bearer {agent.token}"},
            )
            if response.status_code != 201:
                errors.append(response.get_json())

    threads = [threading.Thread(target=create, args=(10,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _counts(database)[Kind.TICKETS] == before[Kind.TICKETS] + 40


def test_the_memo_forgets_the_least_recently_used() -> None:
    kept = memo.Memo(entries=2)
    answer = memo._Kept((1,), [], b"[]")
    kept.put("a", answer)
    kept.put("b", answer)
    assert kept.get("a") is answer  # "a" now the most recently used
    kept.put("c", answer)
    assert kept.get("b") is None
    assert kept.get("a") is answer
    assert kept.get("c") is answer


def test_a_kept_answer_goes_only_to_a_live_agents_token(
    agent: Actor, requester: Actor, anonymous: Actor, database: Database
) -> None:
    """Who is asking is found with the change counts, by the memo rather than the guard: a
    kept answer is still refused to anyone the guard would have refused."""
    agent.create_ticket(category="network")
    assert _active(agent) == {"network": 1}  # kept
    assert requester.get("/api/analytics/active_by_category").status_code == 403
    stranger = {"Authorization": "Bearer td_not-a-token"}
    assert anonymous.get("/api/analytics/active_by_category", headers=stranger).status_code == 401
    with database.session() as session, session.begin():
        revoke_raw_token(session, raw_token=agent.token)
    assert agent.get("/api/analytics/active_by_category").status_code == 401


def test_a_requester_is_refused_before_the_parameters_are_read(
    agent: Actor, requester: Actor
) -> None:
    """As when the guard refused them before the view: 403, not a 422 that would tell a
    requester what the parameters are."""
    path = "/api/analytics/ticket_counts?period=fortnight"
    assert requester.get(path).status_code == 403
    assert agent.get(path).status_code == 422


def test_a_kept_answer_costs_one_statement(app: Flask, agent: Actor) -> None:
    assert _active(agent) == {}
    with count_queries(app) as statements:
        assert _active(agent) == {}
    assert len(statements) == 1, statements  # who is asking, with the change counts
