"""The analytics API's edges: who may read it, CSV, bad parameters, an empty database."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.factories import Actor
from ticketdesk.analytics.table import Table

ENDPOINTS = [
    "ticket_counts",
    "counts_by_category",
    "active_by_category",
    "resolution_times",
    "resolution_times/summary",
    "resolution_time_by_month",
    "ticket_volume",
    "first_response",
]
RANGED = ENDPOINTS[1:]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_requesters_get_403_and_strangers_401(
    path: str, requester: Actor, anonymous: Actor
) -> None:
    assert requester.get(f"/api/analytics/{path}").status_code == 403
    assert anonymous.get(f"/api/analytics/{path}").status_code == 401


def test_an_empty_database_gives_empty_figures(admin: Actor) -> None:
    def get(path: str) -> object:
        response = admin.get(f"/api/analytics/{path}")
        assert response.status_code == 200
        return response.get_json()

    assert get("ticket_counts") == 0
    assert get("counts_by_category") == {}
    assert get("active_by_category") == []
    assert get("resolution_times") == []
    assert get("resolution_times/summary") == []
    assert get("resolution_time_by_month") == {}
    assert get("first_response") == []
    volume = get("ticket_volume")
    assert isinstance(volume, list)
    assert len(volume) == 12
    assert {(row["opened"], row["closed"], row["backlog"]) for row in volume} == {(0, 0, 0)}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_csv_by_parameter_or_accept_header(path: str, agent: Actor) -> None:
    ticket = agent.create_ticket(category="network")
    agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "closed"})
    agent.create_ticket(category="billing")
    agent.post(f"/api/tickets/{ticket['id']}/comments", json={"content": "on it"})
    json_body = agent.get(f"/api/analytics/{path}").get_json()
    for response in (
        agent.get(f"/api/analytics/{path}?format=csv"),
        agent.get(f"/api/analytics/{path}", headers={"Accept": "text/csv"}),
    ):
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)))
        if isinstance(json_body, list):
            assert len(frame) == len(json_body)
            assert not json_body or set(frame.columns) == set(json_body[0])
        elif isinstance(json_body, dict):
            assert len(frame) == len(json_body)
            assert list(frame.iloc[:, 0].astype(str)) == list(json_body)
        else:
            assert frame.iloc[0, 0] == json_body
    assert agent.get(f"/api/analytics/{path}?format=json").mimetype == "application/json"


@pytest.mark.parametrize("path", RANGED)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=yesterday", "from"),
        ("to=2024-13-01", "to"),
        ("from=2024-02-01&to=2024-01-01", "to"),
        ("from=0001-01-01", "from"),
        ("format=xml", "format"),
        ("category=" + "x" * 101, "category"),
    ],
)
def test_bad_parameters_are_422_naming_them(
    path: str, query: str, field: str, agent: Actor
) -> None:
    response = agent.get(f"/api/analytics/{path}?{query}")
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"][0]["field"].split(".")[0] == field


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("ticket_counts?period=fortnight", "period"),
        ("counts_by_category?status=pending", "status"),
        ("ticket_volume?interval=hour", "interval"),
        ("ticket_volume?interval=day&from=1990-01-01", "from"),
        ("resolution_times?per_page=1000", "per_page"),
        ("resolution_times?page=0", "page"),
    ],
)
def test_other_bad_parameters(path: str, field: str, agent: Actor) -> None:
    response = agent.get(f"/api/analytics/{path}")
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"][0]["field"].split(".")[0] == field


def test_the_openapi_document_describes_csv_and_parameters(agent: Actor) -> None:
    document = agent.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/analytics/ticket_volume"]["get"]
    assert {"from", "to", "interval", "category", "format"} <= {
        parameter["name"] for parameter in operation["parameters"]
    }
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "/api/analytics/resolution_times/summary" in document["paths"]


@pytest.mark.parametrize("path", RANGED)
def test_an_empty_range_is_answered(path: str, agent: Actor) -> None:
    ticket = agent.create_ticket(category="network")
    agent.patch(f"/api/tickets/{ticket['id']}", json={"status": "resolved"})
    instant = "2025-02-03T07:13:00Z"
    response = agent.get(f"/api/analytics/{path}", query_string={"from": instant, "to": instant})
    assert response.status_code == 200, response.get_json()
    if path in ("counts_by_category", "active_by_category", "resolution_times/summary"):
        assert not response.get_json()


def test_a_table_gives_plain_records_and_a_frame_with_missing_values() -> None:
    table = Table(["c", "n", "x", "y"], [("a", 1, 2.5, None), ("b", 2, None, 4.0)])
    rows = table.records()
    assert rows == [
        {"c": "a", "n": 1, "x": 2.5, "y": None},
        {"c": "b", "n": 2, "x": None, "y": 4.0},
    ]
    assert [type(row["n"]) for row in rows] == [int, int]
    assert table.column("x") == [2.5, None]
    # CSV is written from the frame: a missing value is an empty field.
    assert table.frame().to_csv(index=False).splitlines() == ["c,n,x,y", "a,1,2.5,", "b,2,,4.0"]
