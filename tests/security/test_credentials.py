"""Dead credentials stay dead: revoked tokens, and session cookies replayed after sign-out.

A stolen credential that its owner has revoked must not read, write, or mint itself a new
credential (which would turn a revoked token into permanent access).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import PASSWORD, Actor
from tests.security.conftest import Snapshot
from ticketdesk.accounts.service import revoke_raw_token
from ticketdesk.db import Database


def _every_kind_of_request(ticket_id: int, token_id: int) -> list[tuple[str, str, Any]]:
    url = f"/api/tickets/{ticket_id}"
    return [
        ("get", "/api/tickets", None),
        ("get", url, None),
        ("get", f"{url}/comments", None),
        ("get", f"{url}/history", None),
        ("post", "/api/tickets", {"description": "with a dead credential"}),
        ("patch", url, {"title": "with a dead credential"}),
        ("put", url, {"description": "x", "status": "open", "category": "x"}),
        ("post", f"{url}/comments", {"content": "with a dead credential"}),
        ("get", "/api/tokens", None),
        ("post", "/api/tokens", {"label": "persistence"}),
        ("delete", f"/api/tokens/{token_id}", None),
        ("get", "/api/users", None),
        ("get", "/api/analytics/ticket_counts", None),
        ("get", "/api/session", None),
    ]


def _all_refused(send: Callable[[str, str, Any], Any], ticket_id: int, token_id: int) -> None:
    for method, url, body in _every_kind_of_request(ticket_id, token_id):
        response = send(method, url, body)
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.mimetype == "application/problem+json"


def _own_token_id(actor: Actor) -> int:
    (token,) = actor.get("/api/tokens").get_json()
    token_id: int = token["id"]
    return token_id


def _own_token_id_of(actor: Actor, *, label: str) -> int:
    tokens = [t for t in actor.get("/api/tokens").get_json() if t["label"] == label]
    assert len(tokens) == 1
    token_id: int = tokens[0]["id"]
    return token_id


def test_a_token_revoked_through_the_api_opens_nothing(
    admin: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    ticket = admin.create_ticket()
    spare = admin.post("/api/tokens", json={"label": "spare"}).get_json()
    token_id = _own_token_id_of(admin, label="test")
    assert admin.delete(f"/api/tokens/{token_id}").status_code == 204
    before = snapshot()

    def send(method: str, url: str, body: Any) -> Any:
        return getattr(admin, method)(url, **({"json": body} if body is not None else {}))

    _all_refused(send, ticket["id"], spare["id"])
    assert snapshot() == before
    # The owner's other token is untouched.
    spare_auth = {"Authorization": f"Bearer {spare['token']}"}
    assert admin.client.get("/api/tickets", headers=spare_auth).status_code == 200


def test_a_token_revoked_from_the_command_line_opens_nothing(
    agent: Actor, database: Database, snapshot: Callable[[], Snapshot]
) -> None:
    ticket = agent.create_ticket()
    token_id = _own_token_id(agent)
    with database.session(write=True) as session, session.begin():
        revoke_raw_token(session, raw_token=agent.token)
    before = snapshot()

    def send(method: str, url: str, body: Any) -> Any:
        return getattr(agent, method)(url, **({"json": body} if body is not None else {}))

    _all_refused(send, ticket["id"], token_id)
    assert snapshot() == before


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token.upper(),
        lambda token: token[:-1],
        lambda token: token + "x",
        lambda token: token.replace("td_", ""),
        lambda token: f" {token}x ",
    ],
    ids=["upper", "truncated", "extended", "unprefixed", "padded"],
)
def test_near_miss_tokens_are_refused(agent: Actor, mangle: Callable[[str], str]) -> None:
    headers = {"Authorization": f"Bearer {mangle(agent.token)}"}
    assert agent.client.get("/api/tickets", headers=headers).status_code == 401


def _sign_in(client: FlaskClient, email: str) -> str:
    response = client.post("/api/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200
    csrf: str = response.get_json()["csrf_token"]
    return csrf


def test_a_session_cookie_replayed_after_sign_out_opens_nothing(
    app: Flask, admin: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    """The attacker kept the cookie and the CSRF token from before the sign-out."""
    ticket = admin.create_ticket()
    token_id = _own_token_id(admin)
    browser = app.test_client()
    csrf = _sign_in(browser, admin.email)
    cookie = browser.get_cookie("ticketdesk_session")
    assert cookie is not None
    assert browser.get("/api/tickets").status_code == 200
    signed_out = browser.delete("/api/session", headers={"X-CSRF-Token": csrf})
    assert signed_out.status_code == 204
    assert "ticketdesk_session=;" in signed_out.headers["Set-Cookie"]
    before = snapshot()
    attacker = app.test_client()
    attacker.set_cookie("ticketdesk_session", cookie.value)

    def send(method: str, url: str, body: Any) -> Any:
        extra = {"json": body} if body is not None else {}
        return getattr(attacker, method)(url, headers={"X-CSRF-Token": csrf}, **extra)

    _all_refused(send, ticket["id"], token_id)
    assert snapshot() == before


@pytest.mark.parametrize("value", ["", "x", "' OR 1=1 --", "a" * 4000, "%00", "../../etc/passwd"])
def test_forged_session_cookies_are_refused(app: Flask, value: str) -> None:
    client = app.test_client()
    client.set_cookie("ticketdesk_session", value)
    assert client.get("/api/tickets").status_code == 401
    assert client.get("/api/session").status_code == 401


def test_a_deactivated_users_cookie_and_tokens_open_nothing(
    app: Flask, admin: Actor, agent: Actor, snapshot: Callable[[], Snapshot]
) -> None:
    ticket = agent.create_ticket()
    token_id = _own_token_id(agent)
    browser = app.test_client()
    csrf = _sign_in(browser, agent.email)
    assert admin.patch(f"/api/users/{agent.user_id}", json={"is_active": False}).status_code == 200
    before = snapshot()

    def by_cookie(method: str, url: str, body: Any) -> Any:
        extra = {"json": body} if body is not None else {}
        return getattr(browser, method)(url, headers={"X-CSRF-Token": csrf}, **extra)

    def by_token(method: str, url: str, body: Any) -> Any:
        return getattr(agent, method)(url, **({"json": body} if body is not None else {}))

    _all_refused(by_cookie, ticket["id"], token_id)
    _all_refused(by_token, ticket["id"], token_id)
    assert snapshot() == before
