"""The web app's routes: hostile paths neither reflect input nor reach files outside it."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.mark.parametrize(
    "path",
    [
        "/tickets/<script>alert(1)</script>",
        '/tickets/1"><img src=x onerror=alert(1)>',
        "/admin/%3Csvg%20onload%3Dalert(1)%3E",
        "/dashboard?range=<script>",
    ],
)
def test_client_routes_answer_the_same_page_whatever_the_path(app: Flask, path: str) -> None:
    client = app.test_client()
    home = client.get("/")
    response = client.get(path)
    assert response.status_code == home.status_code
    assert response.get_data() == home.get_data()
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/../settings.py",
        "/..%2f..%2fsettings.py",
        "/%2e%2e/%2e%2e/settings.py",
        "/assets/../../settings.py",
        "/assets/..%2f..%2f..%2fsettings.py",
        "/..%5c..%5csettings.py",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
        "//etc/passwd",
        "/../../../../../../etc/passwd",
    ],
)
def test_paths_cannot_climb_out_of_the_web_app(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    body = response.get_data(as_text=True)
    assert "class Settings" not in body
    assert "root:x:0:0" not in body
    assert "[project]" not in body
    assert response.status_code in (200, 304, 404, 503)
