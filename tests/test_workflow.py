"""The status workflow, through the API: legal moves, illegal ones, and the times it keeps."""

from __future__ import annotations

import pytest

from tests.factories import Actor
from ticketdesk.enums import Status
from ticketdesk.tickets.workflow import ALLOWED_TRANSITIONS, next_statuses

ALL_MOVES = [(a, b) for a in Status for b in Status if a != b]


def _ticket_in(actor: Actor, status: Status) -> str:
    """A ticket walked to `status` by legal moves; returns its URL."""
    path = {
        Status.OPEN: [],
        Status.IN_PROGRESS: ["in_progress"],
        Status.WAITING: ["in_progress", "waiting"],
        Status.RESOLVED: ["in_progress", "resolved"],
        Status.CLOSED: ["closed"],
    }[status]
    url = f"/api/tickets/{actor.create_ticket()['id']}"
    for step in path:
        assert actor.patch(url, json={"status": step}).status_code == 200
    return url


@pytest.mark.parametrize(("current", "target"), ALL_MOVES)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    agent: Actor, current: Status, target: Status
) -> None:
    url = _ticket_in(agent, current)
    response = agent.patch(url, json={"status": target.value})
    if target in ALLOWED_TRANSITIONS[current]:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == target
    else:
        assert response.status_code == 409
        detail = response.get_json()["detail"]
        assert f"'{current}'" in detail and f"'{target}'" in detail
        assert agent.get(url).get_json()["status"] == current


def test_the_documented_chain_and_close_from_anywhere() -> None:
    assert Status.IN_PROGRESS in ALLOWED_TRANSITIONS[Status.OPEN]
    assert Status.WAITING in ALLOWED_TRANSITIONS[Status.IN_PROGRESS]
    assert Status.IN_PROGRESS in ALLOWED_TRANSITIONS[Status.WAITING]
    assert Status.RESOLVED in ALLOWED_TRANSITIONS[Status.WAITING]
    assert Status.CLOSED in ALLOWED_TRANSITIONS[Status.RESOLVED]
    for status in Status:
        if status != Status.CLOSED:
            assert Status.CLOSED in ALLOWED_TRANSITIONS[status]
    assert next_statuses(Status.RESOLVED) == [Status.OPEN, Status.CLOSED]


def test_resolve_then_close_sets_times(agent: Actor) -> None:
    url = _ticket_in(agent, Status.IN_PROGRESS)
    resolved = agent.patch(url, json={"status": "resolved"}).get_json()
    assert resolved["resolved_at"] is not None and resolved["closed_at"] is None
    closed = agent.patch(url, json={"status": "closed"}).get_json()
    assert closed["resolved_at"] == resolved["resolved_at"]
    assert closed["closed_at"] is not None


def test_reopen_clears_resolved_and_closed_times(agent: Actor) -> None:
    url = _ticket_in(agent, Status.RESOLVED)
    agent.patch(url, json={"status": "closed"})
    reopened = agent.patch(url, json={"status": "open"}).get_json()
    assert reopened["status"] == "open"
    assert reopened["resolved_at"] is None and reopened["closed_at"] is None


def test_closing_without_resolving_sets_only_closed_at(agent: Actor) -> None:
    url = _ticket_in(agent, Status.OPEN)
    closed = agent.patch(url, json={"status": "closed"}).get_json()
    assert closed["closed_at"] is not None and closed["resolved_at"] is None


def test_clients_cannot_set_workflow_times(agent: Actor) -> None:
    url = _ticket_in(agent, Status.OPEN)
    for field in ("resolved_at", "closed_at", "opened_at", "updated_at", "version"):
        response = agent.patch(url, json={field: "2020-01-01T00:00:00Z"})
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"] == field
    assert agent.get(url).get_json()["version"] == 1


def test_agent_may_log_an_already_resolved_ticket(agent: Actor) -> None:
    ticket = agent.create_ticket(status="resolved")
    assert ticket["status"] == "resolved"
    assert ticket["resolved_at"] is not None


def test_next_statuses_offered_to_agents_only(agent: Actor, requester: Actor) -> None:
    ticket = requester.create_ticket()
    assert agent.get(f"/api/tickets/{ticket['id']}").get_json()["next_statuses"] == [
        "in_progress",
        "closed",
    ]
    assert ticket["next_statuses"] == []
