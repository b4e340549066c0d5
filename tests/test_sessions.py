"""Browser sign-in: cookie sessions, CSRF, Origin checks, throttling, security headers."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, Actor
from ticketdesk.app import create_app, dispose
from ticketdesk.settings import Settings
from ticketdesk.tickets.models import Ticket
from ticketdesk.tickets.service import list_categories


def _sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> str:
    response = client.post("/api/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    token: str = response.get_json()["csrf_token"]
    return token


def test_sign_in_sets_a_safe_cookie_and_returns_csrf(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    response = client.post("/api/session", json={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["id"] == agent.user_id
    assert body["user"]["role"] == "agent"
    assert len(body["csrf_token"]) >= 32
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("ticketdesk_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests
    who = client.get("/api/session").get_json()
    assert who["user"]["email"] == agent.email
    assert who["csrf_token"] == body["csrf_token"]


def test_cookie_is_secure_over_https(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    response = client.post(
        "/api/session",
        json={"email": agent.email, "password": PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_and_unknown_email_answer_the_same(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    wrong = client.post("/api/session", json={"email": agent.email, "password": "nope"})
    unknown = client.post("/api/session", json={"email": "who@example.com", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert "Set-Cookie" not in wrong.headers


def test_repeated_failures_are_throttled_with_retry_after(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    for _ in range(5):
        client.post("/api/session", json={"email": agent.email, "password": "guess"})
    blocked = client.post("/api/session", json={"email": agent.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.mimetype == "application/problem+json"
    # Another account from the same address is not locked by this one's failures.
    assert client.get("/api/session").status_code == 401


def test_cookie_writes_need_the_csrf_token(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    csrf = _sign_in(client, agent.email)
    no_token = client.post("/api/tickets", json={"description": "x"})
    assert no_token.status_code == 403
    wrong = client.post(
        "/api/tickets", json={"description": "x"}, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    ok = client.post("/api/tickets", json={"description": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201
    assert len(client.get("/api/tickets").get_json()) == 1


def test_cross_origin_cookie_writes_are_refused(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    csrf = _sign_in(client, agent.email)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ):
        response = client.post(
            "/api/tickets", json={"description": "x"}, headers={"X-CSRF-Token": csrf, **headers}
        )
        assert response.status_code == 403, headers
    same = client.post(
        "/api/tickets",
        json={"description": "x"},
        headers={"X-CSRF-Token": csrf, "Origin": "http://localhost"},
    )
    assert same.status_code == 201
    assert len(client.get("/api/tickets").get_json()) == 1


def test_cross_site_form_posts_change_nothing(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    _sign_in(client, agent.email)
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = client.post(
            "/api/tickets",
            data='{"description": "x"}',
            content_type=content_type,
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code in (403, 415)
    assert client.get("/api/tickets").get_json() == []


def test_sign_in_from_another_origin_is_refused(app: Flask, agent: Actor) -> None:
    response = app.test_client().post(
        "/api/session",
        json={"email": agent.email, "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers


def test_sign_out_ends_the_session_on_the_server(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    csrf = _sign_in(client, agent.email)
    cookie = client.get_cookie("ticketdesk_session")
    assert cookie is not None
    assert client.delete("/api/session").status_code == 403  # CSRF applies to sign-out
    assert client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/session").status_code == 401
    # Replaying the old cookie value does not bring the session back.
    replay = app.test_client()
    replay.set_cookie("ticketdesk_session", cookie.value)
    assert replay.get("/api/tickets").status_code == 401


def test_sign_in_renews_the_session_id(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    _sign_in(client, agent.email)
    first = client.get_cookie("ticketdesk_session")
    _sign_in(client, agent.email)
    second = client.get_cookie("ticketdesk_session")
    assert first is not None and second is not None
    assert first.value != second.value
    stale = app.test_client()
    stale.set_cookie("ticketdesk_session", first.value)
    assert stale.get("/api/session").status_code == 401


def test_deactivated_user_loses_their_session(app: Flask, agent: Actor, admin: Actor) -> None:
    client = app.test_client()
    _sign_in(client, agent.email)
    admin.patch(f"/api/users/{agent.user_id}", json={"is_active": False})
    assert client.get("/api/tickets").status_code == 401
    again = client.post("/api/session", json={"email": agent.email, "password": PASSWORD})
    assert again.status_code == 401


def test_bearer_tokens_need_no_csrf(agent: Actor) -> None:
    assert agent.post("/api/tickets", json={"description": "x"}).status_code == 201
    assert agent.get("/api/session").get_json()["csrf_token"] is None


def test_security_headers_everywhere(app: Flask, agent: Actor) -> None:
    client = app.test_client()
    for path in ("/", "/tickets/42", "/api/health", "/api/tickets", "/api/docs/swagger"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"]
    assert client.get("/api/health").headers["Cache-Control"] == "no-store"


def test_docs_page_has_no_inline_script(app: Flask) -> None:
    page = app.test_client().get("/api/docs/swagger").get_data(as_text=True)
    assert "<script>" not in page
    assert 'src="swagger-init.js"' in page
    script = app.test_client().get("/api/docs/swagger-init.js")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.get_data(as_text=True)


def test_client_routes_load_the_app_and_api_stays_api(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/tickets/42")
    assert page.mimetype == "text/html"
    assert page.status_code in (200, 503)  # 503 until the front end is built
    assert client.get("/").mimetype == "text/html"
    missing = client.get("/api/not-a-route")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert client.post("/api/not-a-route", json={}).status_code == 404


def test_agents_and_categories(agent: Actor, requester: Actor, admin: Actor) -> None:
    agent.create_ticket(category="billing")
    requester.create_ticket(category="access")
    agents = agent.get("/api/agents").get_json()
    assert {a["id"] for a in agents} == {agent.user_id, admin.user_id}
    assert requester.get("/api/agents").status_code == 403
    assert requester.get("/api/categories").get_json() == ["access", "billing"]


def test_categories_are_the_ones_in_use(agent: Actor, session: Session) -> None:
    """Read from the analytics roll-up: a category whose last ticket moved to another one
    is no longer listed, though its counters stay behind at zero."""
    moved = agent.create_ticket(category="billing")
    agent.create_ticket(category="access")
    agent.create_ticket(category="access")
    assert agent.get("/api/categories").get_json() == ["access", "billing"]
    changed = agent.patch(f"/api/tickets/{moved['ticket_id']}", json={"category": "network"})
    assert changed.status_code == 200, changed.get_json()
    assert agent.get("/api/categories").get_json() == ["access", "network"]
    distinct = select(Ticket.category).distinct().order_by(Ticket.category)
    assert list_categories(session) == list(session.scalars(distinct))


def test_trusted_proxy_headers_set_https(settings: Settings, agent: Actor) -> None:
    proxied = create_app(settings.model_copy(update={"trusted_proxies": 1}))
    try:
        response = proxied.test_client().post(
            "/api/session",
            json={"email": agent.email, "password": PASSWORD},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
        assert response.status_code == 200
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        dispose(proxied)
