"""Who may see and do what: authentication, requester isolation, mass assignment."""

from __future__ import annotations

import pytest

from tests.factories import Actor


def test_every_api_call_but_health_needs_a_token(anonymous: Actor, agent: Actor) -> None:
    ticket = agent.create_ticket()
    for method, url in [
        ("get", "/api/tickets"),
        ("post", "/api/tickets"),
        ("get", f"/api/tickets/{ticket['id']}"),
        ("patch", f"/api/tickets/{ticket['id']}"),
        ("get", f"/api/tickets/{ticket['id']}/comments"),
        ("get", "/api/analytics/ticket_counts"),
        ("get", "/api/users"),
    ]:
        response = getattr(anonymous, method)(url)
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("header", ["Bearer td_nope", "Bearer ", "Basic abc", "td_nope"])
def test_bad_credentials_are_401(anonymous: Actor, header: str) -> None:
    response = anonymous.get("/api/tickets", headers={"Authorization": header})
    assert response.status_code == 401


def test_requester_sees_only_own_tickets(
    requester: Actor, other_requester: Actor, agent: Actor
) -> None:
    mine = requester.create_ticket(title="mine")
    theirs = other_requester.create_ticket(title="theirs")
    assert [t["title"] for t in requester.get("/api/tickets").get_json()] == ["mine"]
    assert requester.get("/api/tickets").headers["X-Total-Count"] == "1"
    url = f"/api/tickets/{theirs['id']}"
    assert requester.get(url).status_code == 404
    assert requester.patch(url, json={"title": "hijacked"}).status_code == 404
    assert (
        requester.put(url, json={"description": "x", "status": "open", "category": "x"}).status_code
        == 404
    )
    assert requester.post(f"{url}/comments", json={"content": "hi"}).status_code == 404
    assert requester.get(f"{url}/comments").status_code == 404
    assert requester.get(f"{url}/history").status_code == 404
    # Filtering by someone else's id does not widen the view.
    assert requester.get(f"/api/tickets?requester={other_requester.user_id}").get_json() == []
    assert agent.get(url).get_json()["title"] == "theirs"
    assert len(agent.get("/api/tickets").get_json()) == 2
    assert mine["requester_id"] == requester.user_id


def test_requester_never_sees_internal_notes(requester: Actor, agent: Actor) -> None:
    ticket = requester.create_ticket()
    url = f"/api/tickets/{ticket['id']}/comments"
    agent.post(url, json={"content": "public reply"})
    agent.post(url, json={"content": "between us agents", "internal": True})
    assert [c["content"] for c in requester.get(url).get_json()] == ["public reply"]
    assert requester.get(url).headers["X-Total-Count"] == "1"
    assert len(agent.get(url).get_json()) == 2


def test_requester_cannot_write_internal_notes(requester: Actor) -> None:
    ticket = requester.create_ticket()
    response = requester.post(
        f"/api/tickets/{ticket['id']}/comments", json={"content": "sneaky", "internal": True}
    )
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["field"] == "internal"
    assert requester.get(f"/api/tickets/{ticket['id']}/comments").get_json() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "resolved"), ("assignee_id", "AGENT"), ("requester_id", "OTHER")],
)
def test_requester_cannot_steer_tickets_at_creation(
    requester: Actor, other_requester: Actor, agent: Actor, field: str, value: str
) -> None:
    resolved = {"AGENT": agent.user_id, "OTHER": other_requester.user_id}.get(value, value)
    response = requester.post("/api/tickets", json={"description": "x", field: resolved})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    assert agent.get("/api/tickets").get_json() == []


@pytest.mark.parametrize(("field", "value"), [("status", "closed"), ("assignee_id", "AGENT")])
def test_requester_cannot_steer_own_ticket(
    requester: Actor, agent: Actor, field: str, value: str
) -> None:
    ticket = requester.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    resolved = agent.user_id if value == "AGENT" else value
    response = requester.patch(url, json={field: resolved})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    after = agent.get(url).get_json()
    assert (after["status"], after["assignee_id"], after["version"]) == ("open", None, 1)


def test_requester_may_reword_own_ticket(requester: Actor) -> None:
    ticket = requester.create_ticket()
    response = requester.patch(f"/api/tickets/{ticket['id']}", json={"title": "Clearer title"})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Clearer title"


def test_seed_create_body_with_status_open_works_for_requesters(requester: Actor) -> None:
    response = requester.post(
        "/api/tickets", json={"description": "x", "status": "open", "category": "billing"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize("field", ["id", "version", "opened_at", "requester", "role"])
def test_unknown_or_read_only_fields_are_refused(requester: Actor, field: str) -> None:
    response = requester.post("/api/tickets", json={"description": "x", field: 1})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


def test_analytics_are_for_agents_and_admins(requester: Actor, agent: Actor, admin: Actor) -> None:
    assert requester.get("/api/analytics/ticket_counts").status_code == 403
    assert agent.get("/api/analytics/ticket_counts").status_code == 200
    assert admin.get("/api/analytics/ticket_counts").status_code == 200


def test_only_admins_manage_users(requester: Actor, agent: Actor, admin: Actor) -> None:
    body = {"email": "new@example.com", "password": "long enough pw", "role": "admin"}
    assert requester.post("/api/users", json=body).status_code == 403
    assert agent.post("/api/users", json=body).status_code == 403
    assert agent.patch(f"/api/users/{agent.user_id}", json={"role": "admin"}).status_code == 403
    assert admin.post("/api/users", json=body).status_code == 201
