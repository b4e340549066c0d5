"""An agent's queue by age (`?status=...&category=...&sort=-opened_at`) is read as a merge of
index ranges (see `ticketdesk.tickets.queue`): every page must be the page that sorting all
matching tickets would give, ties on the opening time included."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from tests.factories import Actor
from ticketdesk.accounts.models import User
from ticketdesk.enums import Status
from ticketdesk.tickets.service import create_ticket

CATEGORIES = ("billing", "login", "vpn")
STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED)


@pytest.fixture
def tickets(agent: Actor, session: Session) -> list[dict[str, object]]:
    """60 tickets over 4 statuses and 3 categories, many opened at the same instant."""
    rng = random.Random(7)
    actor = session.get_one(User, agent.user_id)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = [
        create_ticket(
            session,
            actor=actor,
            description=f"ticket {n}",
            status=rng.choice(STATUSES),
            category=rng.choice(CATEGORIES),
            now=start + timedelta(hours=rng.randrange(12)),
        )
        for n in range(60)
    ]
    session.commit()
    return made


def _pages(agent: Actor, query: dict[str, str]) -> tuple[list[int], set[str]]:
    """Every ticket id of the list, page by page, and the totals it announced."""
    ids: list[int] = []
    totals = set()
    for page in range(1, 30):
        response = agent.get("/api/tickets", query_string={**query, "page": str(page)})
        assert response.status_code == 200, response.get_json()
        totals.add(response.headers["X-Total-Count"])
        ids += [ticket["id"] for ticket in response.get_json()]
    return ids, totals


@pytest.mark.parametrize("sort", ["-opened_at", "opened_at"])
@pytest.mark.parametrize(
    ("statuses", "categories"),
    [
        ("open,in_progress", "billing"),
        ("open,in_progress,waiting", "billing,vpn"),
        ("open,open,waiting", "login,login"),  # a value twice lists its tickets once
        ("in_progress,resolved", ""),
        ("waiting", "vpn,billing,login"),
    ],
)
def test_every_page_is_the_sorted_page(
    agent: Actor, tickets: list[dict[str, object]], sort: str, statuses: str, categories: str
) -> None:
    wanted_statuses = set(statuses.split(","))
    wanted_categories = set(categories.split(",")) if categories else set(CATEGORIES)
    matching = [
        ticket
        for ticket in tickets
        if ticket["status"] in wanted_statuses and ticket["category"] in wanted_categories
    ]
    descending = sort.startswith("-")
    expected = sorted(
        matching,
        key=lambda ticket: (ticket["opened_at"], ticket["id"]),  # type: ignore[arg-type,return-value]
        reverse=descending,
    )
    query = {"status": statuses, "sort": sort, "per_page": "4"}
    if categories:
        query["category"] = categories
    ids, totals = _pages(agent, query)
    assert ids == [ticket["id"] for ticket in expected]
    assert totals == {str(len(expected))}
