"""Test data in one place: users with tokens, and a client that signs requests as them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ticketdesk.accounts.service import create_token, create_user
from ticketdesk.db import Database
from ticketdesk.enums import Role

_numbers = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass
class Actor:
    """A user and a client that sends their bearer token with every request."""

    client: FlaskClient
    user_id: int
    token: str
    role: str
    email: str

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**auth, **(headers or {})}

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.delete(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(
            url, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def put(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.put(
            url, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.patch(
            url, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def create_ticket(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Printer on fire", "description": "It is really on fire.", **fields}
        response = self.post("/api/tickets", json=body)
        assert response.status_code == 201, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result


def make_user(
    database: Database, role: str, *, email: str | None = None, password: str = PASSWORD
) -> tuple[int, str, str]:
    """A user of `role` with an API token: (id, email, token)."""
    email = email or f"{role}{next(_numbers)}@example.com"
    with database.session(write=True) as session, session.begin():
        user = create_user(session, email=email, role=Role(role), password=password)
        _token, raw_token = create_token(session, user_id=user.id, label="test")
        return user.id, user.email, raw_token


def make_actor(app: Flask, database: Database, role: str) -> Actor:
    user_id, email, token = make_user(database, role)
    return Actor(app.test_client(), user_id=user_id, token=token, role=role, email=email)
