"""The ticket API: the seeds' contract, fields, listing, filtering and pagination."""

from __future__ import annotations

from datetime import datetime

from tests.factories import Actor


def test_seed_001_create_body_works_as_sent(agent: Actor) -> None:
    response = agent.post(
        "/api/tickets",
        json={
            "description": "VPN drops every hour\nsince Monday",
            "status": "open",
            "category": "network",
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["ticket_id"] == body["id"]
    assert body["title"] == "VPN drops every hour"
    assert body["category"] == "network"
    assert body["status"] == "open"
    assert response.headers["Location"] == f"/api/tickets/{body['id']}"
    assert response.headers["ETag"] == '"1"'


def test_seed_000_create_with_title_and_description(requester: Actor) -> None:
    body = requester.create_ticket(title="Cannot log in", description="Password rejected")
    assert body["title"] == "Cannot log in"
    assert body["description"] == "Password rejected"
    assert body["requester_id"] == requester.user_id
    assert body["priority"] == "normal"
    assert body["category"] == "general"
    assert body["resolved_at"] is None and body["closed_at"] is None


def test_times_are_utc_iso8601(agent: Actor) -> None:
    body = agent.create_ticket()
    opened = datetime.fromisoformat(body["opened_at"])
    assert opened.utcoffset() is not None and opened.utcoffset().total_seconds() == 0


def test_get_ticket_returns_it_with_etag(agent: Actor) -> None:
    created = agent.create_ticket(category="billing", priority="high")
    response = agent.get(f"/api/tickets/{created['id']}")
    assert response.status_code == 200
    assert response.get_json()["priority"] == "high"
    assert response.headers["ETag"] == '"1"'


def test_seed_001_list_by_status_is_a_json_array(agent: Actor) -> None:
    first = agent.create_ticket()
    agent.create_ticket()
    agent.patch(f"/api/tickets/{first['id']}", json={"status": "in_progress"})
    response = agent.get("/api/tickets?status=open")
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, list)
    assert [ticket["status"] for ticket in body] == ["open"]
    several = agent.get("/api/tickets?status=open&status=in_progress").get_json()
    assert len(several) == 2
    assert len(agent.get("/api/tickets?status=open,in_progress").get_json()) == 2


def test_filters_by_category_priority_assignee_and_text(agent: Actor, admin: Actor) -> None:
    agent.create_ticket(title="Refund please", category="billing", priority="low")
    mine = agent.create_ticket(title="Laptop dead", category="hardware", assignee_id=agent.user_id)
    agent.create_ticket(
        title="100% CPU_usage",
        description="fan loud",
        category="hardware",
        assignee_id=admin.user_id,
    )

    def titles(query: str) -> list[str]:
        response = agent.get(f"/api/tickets?{query}&sort=id")
        assert response.status_code == 200, response.get_json()
        return [ticket["title"] for ticket in response.get_json()]

    assert titles("category=hardware") == ["Laptop dead", "100% CPU_usage"]
    assert titles("priority=low") == ["Refund please"]
    assert titles("assignee=me") == ["Laptop dead"]
    assert titles(f"assignee={admin.user_id}") == ["100% CPU_usage"]
    assert titles("assignee=none") == ["Refund please"]
    assert titles("q=laptop") == ["Laptop dead"]
    assert titles("q=FAN") == ["100% CPU_usage"]
    # LIKE wildcards in the search text are taken literally.
    assert titles("q=100%25") == ["100% CPU_usage"]
    assert titles("q=_") == ["100% CPU_usage"]
    assert mine["assignee"]["id"] == agent.user_id


def test_sort_and_pagination_headers(agent: Actor) -> None:
    ids = [agent.create_ticket(title=f"Ticket {n}")["id"] for n in range(5)]
    response = agent.get("/api/tickets?sort=id&per_page=2&page=2")
    assert [ticket["id"] for ticket in response.get_json()] == ids[2:4]
    assert response.headers["X-Total-Count"] == "5"
    links = response.headers["Link"]
    assert '</api/tickets?sort=id&per_page=2&page=3>; rel="next"' in links
    assert '</api/tickets?sort=id&per_page=2&page=1>; rel="prev"' in links
    assert '</api/tickets?sort=id&per_page=2&page=3>; rel="last"' in links
    descending = agent.get("/api/tickets?sort=-id").get_json()
    assert [ticket["id"] for ticket in descending] == ids[::-1]
    assert len(agent.get("/api/tickets").get_json()) == 5


def test_priority_sorts_by_urgency_not_alphabet(agent: Actor) -> None:
    for priority in ("normal", "urgent", "low", "high"):
        agent.create_ticket(priority=priority)
    order = [t["priority"] for t in agent.get("/api/tickets?sort=-priority").get_json()]
    assert order == ["urgent", "high", "normal", "low"]


def test_per_page_defaults_to_25_and_is_capped(agent: Actor) -> None:
    for _ in range(27):
        agent.create_ticket()
    assert len(agent.get("/api/tickets").get_json()) == 25
    too_many = agent.get("/api/tickets?per_page=101")
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"][0]["field"] == "per_page"


def test_put_replaces_editable_fields(agent: Actor) -> None:
    ticket = agent.create_ticket(title="Old", priority="high", assignee_id=agent.user_id)
    response = agent.put(
        f"/api/tickets/{ticket['id']}",
        json={"description": "New text\nbody", "status": "in_progress", "category": "software"},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "New text"
    assert body["status"] == "in_progress"
    assert body["category"] == "software"
    assert body["priority"] == "normal"
    assert body["assignee_id"] is None
    assert body["version"] == 2
    assert response.headers["ETag"] == '"2"'


def test_patch_changes_only_what_is_sent(agent: Actor) -> None:
    ticket = agent.create_ticket(title="Keep me", category="billing")
    body = agent.patch(f"/api/tickets/{ticket['id']}", json={"priority": "urgent"}).get_json()
    assert (body["title"], body["category"], body["priority"]) == ("Keep me", "billing", "urgent")


def test_patch_with_nothing_new_does_not_bump_version(agent: Actor) -> None:
    ticket = agent.create_ticket(category="billing")
    body = agent.patch(f"/api/tickets/{ticket['id']}", json={"category": "billing"}).get_json()
    assert body["version"] == 1


def test_assign_and_unassign(agent: Actor, requester: Actor) -> None:
    ticket = agent.create_ticket()
    url = f"/api/tickets/{ticket['id']}"
    assert agent.patch(url, json={"assignee_id": agent.user_id}).get_json()["assignee_id"] == (
        agent.user_id
    )
    assert agent.patch(url, json={"assignee_id": None}).get_json()["assignee"] is None
    refused = agent.patch(url, json={"assignee_id": requester.user_id})
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "assignee_id"


def test_agent_opens_ticket_on_behalf_of_requester(agent: Actor, requester: Actor) -> None:
    ticket = agent.create_ticket(requester_id=requester.user_id)
    assert ticket["requester"]["id"] == requester.user_id
    assert requester.get(f"/api/tickets/{ticket['id']}").status_code == 200


def test_comments_add_and_list_in_order(agent: Actor, requester: Actor) -> None:
    ticket = requester.create_ticket()
    url = f"/api/tickets/{ticket['id']}/comments"
    first = requester.post(url, json={"content": "Any news?"})
    assert first.status_code == 201
    assert isinstance(first.get_json()["id"], int)
    agent.post(url, json={"content": "On it."})
    listing = agent.get(url)
    assert [c["content"] for c in listing.get_json()] == ["Any news?", "On it."]
    assert listing.headers["X-Total-Count"] == "2"
    assert listing.get_json()[1]["author"]["id"] == agent.user_id


def test_comment_content_is_required_and_not_blank(agent: Actor) -> None:
    ticket = agent.create_ticket()
    url = f"/api/tickets/{ticket['id']}/comments"
    for body in ({}, {"content": ""}, {"content": "   "}):
        response = agent.post(url, json=body)
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"] == "content"


def test_comment_on_unknown_ticket_is_404(agent: Actor) -> None:
    assert agent.post("/api/tickets/999/comments", json={"content": "hi"}).status_code == 404


def test_history_records_every_change(agent: Actor) -> None:
    ticket = agent.create_ticket(title="Old")
    url = f"/api/tickets/{ticket['id']}"
    agent.patch(url, json={"title": "New", "status": "in_progress"})
    agent.patch(url, json={"status": "resolved"})
    entries = agent.get(f"{url}/history").get_json()
    changes = [(e["field"], e["old_value"], e["new_value"]) for e in entries]
    assert changes[0] == ("status", None, "open")
    assert ("title", "Old", "New") in changes
    assert ("status", "open", "in_progress") in changes
    assert ("status", "in_progress", "resolved") in changes
    resolved_at = agent.get(url).get_json()["resolved_at"]
    assert ("resolved_at", None, datetime.fromisoformat(resolved_at).isoformat()) in changes
    assert all(e["actor"]["id"] == agent.user_id for e in entries)


def test_health_needs_no_auth(anonymous: Actor) -> None:
    response = anonymous.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_openapi_document_and_docs_page(anonymous: Actor) -> None:
    document = anonymous.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert {"post", "get"} <= set(paths["/api/tickets"])
    assert {"get", "put", "patch"} <= set(paths["/api/tickets/{ticket_id}"])
    assert "/api/analytics/ticket_counts" in paths
    assert "TicketOut" in document["components"]["schemas"]
    docs = anonymous.get("/api/docs", follow_redirects=True)
    assert docs.status_code == 200
    assert b"swagger" in docs.data.lower()


def test_total_count_follows_every_change_of_status_and_category(
    agent: Actor, requester: Actor
) -> None:
    """An agent's queue is counted from the analytics roll-up, other lists by counting rows:
    both must agree with the rows themselves, however the tickets moved."""
    ids = [
        agent.create_ticket(category=category, priority=priority)["id"]
        for category, priority in [("billing", "low"), ("billing", "high"), ("vpn", "low")]
    ]
    requester.create_ticket(category="vpn")
    agent.patch(f"/api/tickets/{ids[0]}", json={"status": "in_progress"})
    agent.patch(f"/api/tickets/{ids[0]}", json={"status": "resolved"})
    agent.patch(f"/api/tickets/{ids[0]}", json={"status": "in_progress"})  # reopened
    agent.patch(f"/api/tickets/{ids[1]}", json={"category": "vpn", "status": "closed"})
    agent.post("/api/tickets", json={"description": "on the phone", "status": "waiting"})
    queries = [
        "",
        "status=open",
        "status=open,in_progress",
        "status=closed",
        "status=resolved",
        "category=vpn",
        "category=billing,vpn&status=open,closed",
        "category=nothing-here",
        "status=in_progress&priority=low",
        "category=vpn&assignee=none",
    ]
    for actor in (agent, requester):
        for query in queries:
            response = actor.get(f"/api/tickets?{query}&per_page=100")
            assert int(response.headers["X-Total-Count"]) == len(response.get_json()), query
    assert agent.get("/api/tickets?category=vpn").headers["X-Total-Count"] == "3"
