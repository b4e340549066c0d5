"""Role escalation through mass assignment: fields a caller may not set, sent anyway.

Each attempt must be refused as a whole (422 naming the field, or 403), never half-applied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import Actor
from tests.security.conftest import Snapshot

# What a requester must not set when opening or editing a ticket, and what the server keeps.
SERVER_OWNED = {
    "id": 999,
    "ticket_id": 999,
    "version": 42,
    "opened_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z",
    "resolved_at": "2001-01-01T00:00:00Z",
    "closed_at": "2001-01-01T00:00:00Z",
    "next_statuses": ["closed"],
    "requester": {"id": 1, "name": "x", "email": "x@example.com"},
    "author_id": 1,
    "role": "admin",
    "is_agent": True,
    "__proto__": {"is_agent": True},
}


def _refused(response: Any, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    if status == 422:
        assert field in {error["field"] for error in response.get_json()["errors"]}


@pytest.mark.parametrize(("field", "value"), SERVER_OWNED.items())
def test_server_owned_fields_cannot_be_sent_on_create(
    requester: Actor, snapshot: Callable[[], Snapshot], field: str, value: object
) -> None:
    before = snapshot()
    response = requester.post("/api/tickets", json={"description": "hi", field: value})
    _refused(response, field)
    assert snapshot() == before


@pytest.mark.parametrize(("field", "value"), SERVER_OWNED.items())
def test_server_owned_fields_cannot_be_patched(
    agent: Actor, snapshot: Callable[[], Snapshot], field: str, value: object
) -> None:
    ticket = agent.create_ticket()
    before = snapshot()
    _refused(agent.patch(f"/api/tickets/{ticket['id']}", json={field: value}), field)
    replace = {"description": "x", "status": "open", "category": "c", field: value}
    _refused(agent.put(f"/api/tickets/{ticket['id']}", json=replace), field)
    assert snapshot() == before


def test_requester_cannot_steer_their_ticket(
    requester: Actor,
    agent: Actor,
    other_requester: Actor,
    snapshot: Callable[[], Snapshot],
) -> None:
    ticket = requester.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    before = snapshot()
    attempts: list[dict[str, Any]] = [
        {"status": "closed"},
        {"status": "resolved", "title": "also this"},
        {"assignee_id": agent.user_id},
        {"title": "innocent", "assignee_id": agent.user_id},
    ]
    for body in attempts:
        field = next(key for key in body if key in ("status", "assignee_id"))
        _refused(requester.patch(url, json=body), field)
    replace = {"description": "x", "status": "in_progress", "category": "c"}
    _refused(requester.put(url, json=replace), "status")
    for body in ({"requester_id": other_requester.user_id}, {"status": "in_progress"}):
        _refused(
            requester.post("/api/tickets", json={"description": "x", **body}), next(iter(body))
        )
    assert snapshot() == before


def test_requester_cannot_open_a_ticket_in_someone_elses_name(
    requester: Actor, other_requester: Actor, agent: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    before = snapshot()
    body = {"description": "please reset my password", "requester_id": other_requester.user_id}
    _refused(requester.post("/api/tickets", json=body), "requester_id")
    assert snapshot() == before
    assert other_requester.get("/api/tickets").get_json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"role": "admin"},
        {"email": "new@example.com"},
        {"password_hash": "$argon2id$v=19$m=65536,t=3,p=4$AAAA$BBBB"},
        {"id": 1},
        {"is_agent": True},
    ],
)
def test_users_cannot_promote_themselves(
    agent: Actor, requester: Actor, snapshot: Callable[[], Snapshot], body: dict[str, Any]
) -> None:
    before = snapshot()
    for actor in (agent, requester):
        response = actor.patch(f"/api/users/{actor.user_id}", json=body)
        assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("field", ["email", "password_hash", "id", "created_at", "is_agent"])
def test_even_admins_cannot_set_fields_that_are_not_editable(
    admin: Actor, agent: Actor, snapshot: Callable[[], Snapshot], field: str
) -> None:
    before = snapshot()
    _refused(admin.patch(f"/api/users/{agent.user_id}", json={field: "x", "name": "ok"}), field)
    assert snapshot() == before


def test_tokens_cannot_be_minted_for_someone_else(
    requester: Actor, agent: Actor, admin: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    before = snapshot()
    for actor, victim in ((requester, admin), (agent, admin), (requester, agent)):
        response = actor.post("/api/tokens", json={"label": "mine now", "user_id": victim.user_id})
        _refused(response, "user_id", status=403)
    assert snapshot() == before


@pytest.mark.parametrize("value", [True, "1", 1.5, [1], {"id": 1}])
def test_ids_must_be_json_integers(
    agent: Actor, snapshot: Callable[[], Snapshot], value: object
) -> None:
    """`true` must not be read as user 1 (an admin, on a fresh install)."""
    before = snapshot()
    _refused(
        agent.post("/api/tickets", json={"description": "x", "assignee_id": value}), "assignee_id"
    )
    assert snapshot() == before


@pytest.mark.parametrize("value", [1, "yes", "true", 0.0, None])
def test_flags_must_be_json_booleans(
    agent: Actor, snapshot: Callable[[], Snapshot], value: object
) -> None:
    ticket = agent.create_ticket()
    before = snapshot()
    body = {"content": "note", "internal": value}
    _refused(agent.post(f"/api/tickets/{ticket['id']}/comments", json=body), "internal")
    assert snapshot() == before
