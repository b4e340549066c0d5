"""Users and API tokens, over the API."""

from __future__ import annotations

from tests.factories import Actor


def test_admin_creates_lists_and_updates_users(admin: Actor) -> None:
    created = admin.post(
        "/api/users",
        json={
            "email": "New@Example.com",
            "name": "New Agent",
            "password": "long enough pw",
            "role": "agent",
        },
    )
    assert created.status_code == 201
    user = created.get_json()
    assert user["email"] == "new@example.com"
    assert "password" not in user and "password_hash" not in user
    listing = admin.get("/api/users")
    assert listing.headers["X-Total-Count"] == "2"
    changed = admin.patch(
        f"/api/users/{user['id']}", json={"role": "requester", "is_active": False}
    )
    assert changed.get_json()["role"] == "requester"
    assert changed.get_json()["is_active"] is False


def test_duplicate_email_is_409(admin: Actor) -> None:
    body = {"email": "dup@example.com", "password": "long enough pw"}
    assert admin.post("/api/users", json=body).status_code == 201
    response = admin.post("/api/users", json={**body, "email": "DUP@example.com"})
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["field"] == "email"


def test_user_input_is_validated(admin: Actor) -> None:
    bad = admin.post(
        "/api/users", json={"email": "not-an-email", "password": "short", "role": "overlord"}
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"email", "password", "role"}


def test_admin_cannot_demote_themselves(admin: Actor) -> None:
    response = admin.patch(f"/api/users/{admin.user_id}", json={"role": "agent"})
    assert response.status_code == 403
    assert admin.get(f"/api/users/{admin.user_id}").get_json()["role"] == "admin"


def test_deactivated_users_tokens_stop_working(admin: Actor, agent: Actor) -> None:
    assert agent.get("/api/tickets").status_code == 200
    admin.patch(f"/api/users/{agent.user_id}", json={"is_active": False})
    assert agent.get("/api/tickets").status_code == 401


def test_tokens_create_list_revoke(requester: Actor) -> None:
    created = requester.post("/api/tokens", json={"label": "script"})
    assert created.status_code == 201
    token = created.get_json()
    assert token["token"].startswith("td_")
    listed = requester.get("/api/tokens").get_json()
    assert {t["label"] for t in listed} == {"test", "script"}
    assert all("token" not in t for t in listed)
    new_client = requester.client
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert new_client.get("/api/tickets", headers=headers).status_code == 200
    assert requester.delete(f"/api/tokens/{token['id']}").status_code == 204
    assert new_client.get("/api/tickets", headers=headers).status_code == 401
    assert requester.delete(f"/api/tokens/{token['id']}").status_code == 404


def test_users_cannot_touch_others_tokens(
    requester: Actor, other_requester: Actor, admin: Actor
) -> None:
    theirs = other_requester.post("/api/tokens", json={"label": "x"}).get_json()
    assert requester.delete(f"/api/tokens/{theirs['id']}").status_code == 404
    refused = requester.post("/api/tokens", json={"user_id": other_requester.user_id})
    assert refused.status_code == 403
    assert admin.post("/api/tokens", json={"user_id": other_requester.user_id}).status_code == 201
    assert admin.delete(f"/api/tokens/{theirs['id']}").status_code == 204
