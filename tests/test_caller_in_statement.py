"""A ticket read signed with a bearer token finds who is asking in its own statement
(`guards.finds_caller_itself`): it must answer exactly as the guard's own look-up would."""

from __future__ import annotations

from flask import Flask

from tests.factories import PASSWORD, Actor
from tests.test_query_counts import count_queries


def test_a_ticket_read_with_a_token_runs_one_statement(app: Flask, agent: Actor) -> None:
    ticket = agent.create_ticket()
    with count_queries(app) as statements:
        assert agent.get(f"/api/tickets/{ticket['id']}").status_code == 200
    assert len(statements) == 1


def test_a_token_reads_what_a_signed_in_browser_reads(
    app: Flask, agent: Actor, requester: Actor
) -> None:
    ticket = requester.create_ticket()
    agent.patch(f"/api/tickets/{ticket['id']}", json={"assignee_id": agent.user_id})
    browser = app.test_client()
    signed_in = browser.post("/api/session", json={"email": agent.email, "password": PASSWORD})
    assert signed_in.status_code == 200
    by_cookie = browser.get(f"/api/tickets/{ticket['id']}")
    by_token = agent.get(f"/api/tickets/{ticket['id']}")
    assert by_token.status_code == by_cookie.status_code == 200
    assert by_token.get_json() == by_cookie.get_json()
    assert by_token.get_json()["assignee"]["id"] == agent.user_id
    assert by_token.get_json()["next_statuses"]
    assert by_token.headers["ETag"] == by_cookie.headers["ETag"]


def test_a_requester_reads_only_their_own_tickets(
    agent: Actor, requester: Actor, other_requester: Actor
) -> None:
    own = requester.create_ticket()
    others = other_requester.create_ticket()
    read = requester.get(f"/api/tickets/{own['id']}")
    assert read.status_code == 200
    assert read.get_json()["requester"]["id"] == requester.user_id
    assert read.get_json()["next_statuses"] == []
    assert requester.get(f"/api/tickets/{others['id']}").status_code == 404
    assert agent.get(f"/api/tickets/{others['id']}").status_code == 200
    assert agent.get(f"/api/tickets/{others['id'] + 1000}").status_code == 404


def test_a_bad_token_is_refused_before_anything_else_is_said(
    agent: Actor, anonymous: Actor
) -> None:
    """Not found, or a path that does not validate: still 401 for a token of no one."""
    ticket = agent.create_ticket()
    bad = {"Authorization": f"Bearer {agent.token}x"}
    for url in (f"/api/tickets/{ticket['id']}", "/api/tickets/999999", "/api/tickets/0"):
        refused = anonymous.get(url, headers=bad)
        assert refused.status_code == 401, url
        assert refused.mimetype == "application/problem+json"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert anonymous.get(url).status_code == 401, url
    assert agent.get("/api/tickets/0").status_code == 422


QUEUE = "/api/tickets?status=open,in_progress&category=billing&per_page=2"


def test_an_agents_queue_with_a_token_runs_one_statement(app: Flask, agent: Actor) -> None:
    for _ in range(3):
        agent.create_ticket(category="billing")
    with count_queries(app) as statements:
        listed = agent.get(QUEUE)
    assert listed.status_code == 200
    assert len(listed.get_json()) == 2
    assert listed.headers["X-Total-Count"] == "3"
    assert len(statements) == 1


def test_a_queue_read_with_a_token_is_the_queue_a_browser_reads(
    app: Flask, agent: Actor, requester: Actor
) -> None:
    for n in range(5):
        ticket = requester.create_ticket(category="billing" if n % 2 else "vpn")
        if n == 3:
            agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "in_progress"})
    browser = app.test_client()
    signed_in = browser.post("/api/session", json={"email": agent.email, "password": PASSWORD})
    assert signed_in.status_code == 200
    urls = [QUEUE, f"{QUEUE}&page=2", f"{QUEUE}&page=9", f"{QUEUE}&sort=opened_at"]
    # A queue narrowed further is no queue: read as any other list, the same either way.
    urls += [f"{QUEUE}&{more}" for more in ("priority=high", "assignee=me", "q=fire")]
    for url in urls:
        by_cookie, by_token = browser.get(url), agent.get(url)
        assert by_token.status_code == by_cookie.status_code == 200, url
        assert by_token.get_json() == by_cookie.get_json(), url
        for header in ("X-Total-Count", "Link"):
            assert by_token.headers.get(header) == by_cookie.headers.get(header), (url, header)
    assert agent.get(f"{QUEUE}&page=9").headers["X-Total-Count"] == "2"


def test_a_requester_asking_for_a_queue_gets_their_own_tickets(
    requester: Actor, other_requester: Actor
) -> None:
    own = requester.create_ticket(category="billing")
    other_requester.create_ticket(category="billing")
    listed = requester.get(QUEUE)
    assert listed.status_code == 200
    assert [ticket["id"] for ticket in listed.get_json()] == [own["id"]]
    assert listed.headers["X-Total-Count"] == "1"
    assert listed.get_json()[0]["next_statuses"] == []


def test_a_bad_token_asking_for_a_queue_is_refused(agent: Actor, anonymous: Actor) -> None:
    agent.create_ticket(category="billing")
    refused = anonymous.get(QUEUE, headers={"Authorization": f"Bearer {agent.token}x"})
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    bad_page = anonymous.get(f"{QUEUE}&page=0", headers={"Authorization": "Bearer nobody"})
    assert bad_page.status_code == 401
