"""Insecure direct object references: a requester walking ids to reach other people's data.

Someone else's ticket must look exactly like one that does not exist (404, same body shape),
for every verb and sub-resource, and the sweep must leave every row as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.factories import Actor
from tests.security.conftest import Snapshot

SWEEP = range(1, 41)


def _not_found(response: Any, ticket_id: int) -> None:
    assert response.status_code == 404, (ticket_id, response.status_code)
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == f"ticket {ticket_id} not found"


def test_sweeping_ticket_ids_reads_only_your_own(
    requester: Actor, victim_ticket: dict[str, Any], snapshot: Callable[[], Snapshot]
) -> None:
    mine = requester.create_ticket(title="My laptop")
    before = snapshot()
    for ticket_id in SWEEP:
        url = f"/api/tickets/{ticket_id}"
        if ticket_id == mine["id"]:
            assert requester.get(url).status_code == 200
            continue
        for sub in ("", "/comments", "/history"):
            _not_found(requester.get(url + sub), ticket_id)
    assert snapshot() == before


def test_sweeping_ticket_ids_writes_nothing(
    requester: Actor,
    agent: Actor,
    victim_ticket: dict[str, Any],
    snapshot: Callable[[], Snapshot],
) -> None:
    before = snapshot()
    replace = {"description": "pwned", "status": "open", "category": "x"}
    for ticket_id in SWEEP:
        url = f"/api/tickets/{ticket_id}"
        _not_found(requester.patch(url, json={"title": "pwned"}), ticket_id)
        _not_found(requester.put(url, json=replace), ticket_id)
        _not_found(requester.post(f"{url}/comments", json={"content": "pwned"}), ticket_id)
    assert snapshot() == before
    victim = agent.get(f"/api/tickets/{victim_ticket['id']}").get_json()
    assert (victim["title"], victim["version"]) == ("Payroll export", 1)


def test_list_filters_never_widen_a_requesters_view(
    requester: Actor, other_requester: Actor, agent: Actor, victim_ticket: dict[str, Any]
) -> None:
    requester.create_ticket(title="My laptop")
    queries = [
        f"requester={other_requester.user_id}",
        f"requester={other_requester.user_id},{requester.user_id}",
        "q=Payroll",
        "q=Salaries",
        f"assignee={agent.user_id}",
        "assignee=none",
        "status=open,in_progress,waiting,resolved,closed",
        "per_page=100&sort=-id",
    ]
    for query in queries:
        response = requester.get(f"/api/tickets?{query}")
        assert response.status_code == 200, query
        titles = {ticket["title"] for ticket in response.get_json()}
        assert "Payroll export" not in titles, query
        assert int(response.headers["X-Total-Count"]) == len(titles), query


def test_internal_notes_never_leak_to_the_requester(
    other_requester: Actor, victim_ticket: dict[str, Any]
) -> None:
    url = f"/api/tickets/{victim_ticket['id']}/comments"
    for query in ("", "?per_page=100", "?page=1&per_page=1", "?page=2&per_page=1"):
        response = other_requester.get(url + query)
        assert response.status_code == 200
        assert all(not comment["internal"] for comment in response.get_json())
        assert "VIP" not in response.get_data(as_text=True)
        assert response.headers["X-Total-Count"] == "1"
    history = other_requester.get(f"/api/tickets/{victim_ticket['id']}/history")
    assert "VIP" not in history.get_data(as_text=True)


def test_comments_on_someone_elses_ticket_are_refused_by_id(
    requester: Actor, other_requester: Actor, victim_ticket: dict[str, Any]
) -> None:
    ticket_id = victim_ticket["id"]
    response = requester.post(f"/api/tickets/{ticket_id}/comments", json={"content": "hi"})
    _not_found(response, ticket_id)
    thread = other_requester.get(f"/api/tickets/{ticket_id}/comments").get_json()
    assert [comment["content"] for comment in thread] == ["On it"]


def test_token_ids_of_other_users_are_not_found(
    requester: Actor, other_requester: Actor, admin: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    own = {token["id"] for token in requester.get("/api/tokens").get_json()}
    assert len(own) == 1
    before = snapshot()
    for token_id in range(1, 20):
        if token_id in own:
            continue
        response = requester.delete(f"/api/tokens/{token_id}")
        assert response.status_code == 404, token_id
    assert snapshot() == before
    assert {t["user_id"] for t in requester.get("/api/tokens").get_json()} == {requester.user_id}
    for actor in (other_requester, admin):
        assert actor.get("/api/tickets").status_code == 200


def test_requesters_and_agents_cannot_reach_user_admin(
    requester: Actor, agent: Actor, admin: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    before = snapshot()
    for actor in (requester, agent):
        assert actor.get("/api/users").status_code == 403
        assert actor.get(f"/api/users/{admin.user_id}").status_code == 403
        assert actor.patch(f"/api/users/{actor.user_id}", json={"role": "admin"}).status_code == 403
        new_admin = {"email": "evil@example.com", "password": "long enough", "role": "admin"}
        assert actor.post("/api/users", json=new_admin).status_code == 403
    assert requester.get("/api/analytics/ticket_counts").status_code == 403
    assert snapshot() == before
