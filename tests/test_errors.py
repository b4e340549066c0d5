"""One error shape for all of /api, and the right status for each kind of bad request."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.factories import Actor


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= set(body)
    return body


def test_malformed_json_is_400(agent: Actor) -> None:
    response = agent.client.post(
        "/api/tickets",
        data="{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {agent.token}"},
    )
    _assert_problem(response, 400)


def test_non_json_content_type_is_415(agent: Actor) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = agent.client.post(
            "/api/tickets",
            data='{"description": "x"}',
            content_type=content_type,
            headers={"Authorization": f"Bearer {agent.token}"},
        )
        _assert_problem(response, 415)
    assert agent.get("/api/tickets").get_json() == []


def test_body_over_the_limit_is_413(agent: Actor, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = agent.post("/api/tickets", json={"description": "x" * (limit + 10)})
    _assert_problem(response, 413)


def test_deeply_nested_json_is_400_not_500(agent: Actor) -> None:
    response = agent.client.post(
        "/api/tickets",
        data="[" * 100_000 + "]" * 100_000,
        content_type="application/json",
        headers={"Authorization": f"Bearer {agent.token}"},
    )
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [[], "a string", 42, None])
def test_json_that_is_not_an_object_is_422(agent: Actor, body: object) -> None:
    _assert_problem(agent.post("/api/tickets", json=body), 422)


def test_validation_errors_name_each_field(agent: Actor) -> None:
    response = agent.post("/api/tickets", json={"title": "", "priority": "whenever"})
    body = _assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert fields == {"description", "title", "priority"}


def test_unknown_ticket_is_404(agent: Actor) -> None:
    _assert_problem(agent.get("/api/tickets/424242"), 404)


@pytest.mark.parametrize(
    "query",
    [
        "status=lost",
        "priority=meh",
        "sort=password",
        "sort=-title;drop table tickets",
        "page=0",
        "per_page=0",
        "page=abc",
        "assignee=someone",
        "requester=-1",
    ],
)
def test_unknown_filter_and_sort_values_are_422(agent: Actor, query: str) -> None:
    body = _assert_problem(agent.get(f"/api/tickets?{query}"), 422)
    assert body["errors"][0]["field"].split(".")[0] == query.split("=")[0]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/tickets?q=printer&q=vpn", "q"),
        ("/api/tickets?page=1&page=2", "page"),
        ("/api/tickets?sort=id&sort=-id", "sort"),
        ("/api/analytics/ticket_counts?period=day&period=month", "period"),
    ],
)
def test_a_single_value_parameter_sent_twice_is_422(agent: Actor, path: str, field: str) -> None:
    """Taking the first value would answer a question the client did not ask."""
    body = _assert_problem(agent.get(path), 422)
    assert [error["field"] for error in body["errors"]] == [field]
    assert "sent 2 times" in body["errors"][0]["message"]


def test_list_parameters_may_be_repeated(agent: Actor) -> None:
    agent.create_ticket(title="one")
    response = agent.get("/api/tickets?status=open&status=waiting&category=general&category=x")
    assert response.status_code == 200, response.get_json()
    assert [ticket["title"] for ticket in response.get_json()] == ["one"]


def test_unknown_api_path_and_method_are_json(agent: Actor) -> None:
    _assert_problem(agent.get("/api/nowhere"), 404)
    response = agent.delete("/api/tickets")
    _assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_huge_ids_are_404_or_422_not_500(agent: Actor) -> None:
    assert agent.get("/api/tickets/99999999999999999999").status_code in (404, 422)


def test_nul_bytes_and_odd_unicode_are_stored_or_refused_cleanly(
    agent: Actor, backend: str
) -> None:
    response = agent.post("/api/tickets", json={"description": "tab\t emoji 🎫 rtl \u202e"})
    assert response.status_code == 201
    nul = agent.post("/api/tickets", json={"description": "nul \x00 byte"})
    assert nul.status_code == 422
    assert nul.get_json()["errors"][0]["field"] == "description"
    assert agent.get("/api/tickets?q=a%00b").status_code == 422
    assert len(agent.get("/api/tickets").get_json()) == 1
