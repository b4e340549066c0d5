"""Bodies built to hurt: too big, too deep, too many keys, or not JSON at all.

Each is refused with the right 4xx as problem JSON before anything is written.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.factories import Actor
from tests.security.conftest import Snapshot


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status
    return body


def _raw(actor: Actor, data: bytes | str, content_type: str | None, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {actor.token}", **kwargs.pop("headers", {})}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return actor.client.post("/api/tickets", data=data, headers=headers, **kwargs)


def test_oversized_body_is_413(agent: Actor, app: Flask, snapshot: Callable[[], Snapshot]) -> None:
    before = snapshot()
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"description": "x" * limit})
    _problem(_raw(agent, body, "application/json"), 413)
    assert snapshot() == before


def _chunked(app: Flask, actor: Actor, body: bytes) -> tuple[str, dict[str, Any]]:
    """POST `body` as gunicorn hands over a chunked upload: no CONTENT_LENGTH, and
    `wsgi.input_terminated` saying the stream ends where the body does. Straight to the WSGI
    app, as the test client would add a Content-Length."""
    environ = EnvironBuilder(
        path="/api/tickets",
        method="POST",
        headers={
            "Authorization": f"Bearer {actor.token}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True})
    chunks, status, _headers = run_wsgi_app(app, environ, buffered=True)
    return status, json.loads(b"".join(chunks))


def test_oversized_chunked_body_without_length_is_413(
    agent: Actor, app: Flask, snapshot: Callable[[], Snapshot]
) -> None:
    """No Content-Length to refuse up front: the limit must hold while reading the stream,
    rather than the body being cut at the limit and parsed (or refused as bad JSON)."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    before = snapshot()
    padded = b'{"description": "x"}' + b" " * limit
    for body in (b'{"description": "' + b"x" * limit + b'"}', padded):
        status, problem = _chunked(app, agent, body)
        assert (status, problem["status"]) == ("413 REQUEST ENTITY TOO LARGE", 413)
    assert snapshot() == before
    status, ticket = _chunked(app, agent, b'{"description": "chunked but small"}')
    assert (status, ticket["description"]) == ("201 CREATED", "chunked but small")


@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"description": ' + "[" * 20_000 + "]" * 20_000 + "}",
    ],
    ids=["arrays", "objects", "inside-a-field"],
)
def test_deeply_nested_json_is_refused(
    agent: Actor, snapshot: Callable[[], Snapshot], body: str
) -> None:
    before = snapshot()
    response = _raw(agent, body, "application/json")
    assert response.status_code in (400, 422)
    _problem(response, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "x", "title": "t" * 201}, "title"),
        ({"description": "d" * 50_001}, "description"),
        ({"description": "x", "category": "c" * 101}, "category"),
        ({"description": "x", **{f"k{n}": n for n in range(5_000)}}, "k0"),
    ],
    ids=["title", "description", "category", "many-keys"],
)
def test_oversized_fields_are_422_naming_them(
    agent: Actor, snapshot: Callable[[], Snapshot], body: dict[str, Any], field: str
) -> None:
    before = snapshot()
    problem = _problem(agent.post("/api/tickets", json=body), 422)
    assert field in {error["field"] for error in problem["errors"]}
    assert len(json.dumps(problem)) < 2_000_000
    assert snapshot() == before


def test_long_queries_are_422(agent: Actor) -> None:
    problem = _problem(agent.get("/api/tickets", query_string={"q": "q" * 201}), 422)
    assert problem["errors"][0]["field"].startswith("q")
    many = [("status", "open")] * 2_000
    assert agent.get("/api/tickets", query_string=many).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/html",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
        "application/javascript",
        None,
    ],
)
def test_bodies_that_are_not_json_are_415(
    agent: Actor, snapshot: Callable[[], Snapshot], content_type: str | None
) -> None:
    before = snapshot()
    _problem(_raw(agent, '{"description": "smuggled"}', content_type), 415)
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [b"description=x", b"{'description': 'x'}", b'{"description": "x"', b"\xff\xfe{}", b""],
    ids=["form", "single-quotes", "truncated", "bad-utf8", "empty"],
)
def test_json_labelled_bodies_that_do_not_parse_are_400(
    agent: Actor, snapshot: Callable[[], Snapshot], body: bytes
) -> None:
    before = snapshot()
    _problem(_raw(agent, body, "application/json"), 400)
    assert snapshot() == before


@pytest.mark.parametrize(
    "body", ['"{\\"description\\": \\"double encoded\\"}"', "[]", "42", "null", "true"]
)
def test_json_bodies_that_are_not_objects_are_422(
    agent: Actor, snapshot: Callable[[], Snapshot], body: str
) -> None:
    before = snapshot()
    problem = _problem(_raw(agent, body, "application/json"), 422)
    assert problem["errors"][0]["field"] == "body"
    assert snapshot() == before


def test_duplicate_keys_cannot_smuggle_a_second_value(
    requester: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    """The parser keeps the last value; the schema then judges that one value."""
    before = snapshot()
    body = '{"description": "x", "status": "open", "status": "closed"}'
    problem = _problem(_raw(requester, body, "application/json"), 422)
    assert problem["errors"][0]["field"] == "status"
    assert snapshot() == before
