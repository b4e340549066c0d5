"""`?q=`: text in the title or description, any case, found through each database's trigram
index, and meaning exactly what a case-insensitive substring means."""

from __future__ import annotations

import pytest
from bench import data
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.factories import Actor
from ticketdesk import sqlite_search
from ticketdesk.accounts.models import User
from ticketdesk.analytics import indexes
from ticketdesk.db import Database, sqlite_file
from ticketdesk.enums import Status
from ticketdesk.settings import Settings
from ticketdesk.tickets import search
from ticketdesk.tickets.models import Ticket
from ticketdesk.tickets.service import TicketFilters, list_tickets
from ticketdesk.web.context import app_state


def found(actor: Actor, text: str, **params: str) -> list[str]:
    """Titles of the tickets `actor` finds with `text`, in id order. On SQLite the search is
    made four times, and each must find the same: as it comes (few tickets, such as a
    requester's, are each checked for the text), from the index with the tickets written
    since its last batch checked one by one, from the index brought up to date, and by a
    walk in the page's order that checks each ticket (what a text with many matches takes).
    On PostgreSQL three times: as it comes (an agent's search of every ticket through the
    trigram index), however few the tickets through the index, and narrowed to every status,
    which leaves few tickets, each checked."""
    titles = _found(actor, text, **params)
    database_path = sqlite_file(_settings(actor).database_url)
    if database_path is None:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search, "CHECK_EACH_UP_TO", -1)
            assert _found(actor, text, **params) == titles, "the index finds otherwise"
        every_status = ",".join(Status)
        assert _found(actor, text, status=every_status, **params) == titles, "checked: otherwise"
    else:
        with pytest.MonkeyPatch.context() as patch:
            # However few the tickets, the index's matches rather than a check of each one.
            patch.setattr(search, "CHECK_EACH_UP_TO", -1)
            assert _found(actor, text, **params) == titles, "the index behind finds otherwise"
            sqlite_search.catch_up(database_path)
            assert _found(actor, text, **params) == titles, "the index finds otherwise"
            # However few the matches, a walk in the page's order checking each ticket.
            patch.setattr(search, "checking_pays_from", lambda **_kwargs: 0)
            assert _found(actor, text, **params) == titles, "the checked walk finds otherwise"
    return titles


def _found(actor: Actor, text: str, **params: str) -> list[str]:
    response = actor.get(
        "/api/tickets", query_string={"q": text, "sort": "id", "per_page": "100", **params}
    )
    assert response.status_code == 200, response.get_json()
    titles = [ticket["title"] for ticket in response.get_json()]
    # Every test finds fewer than a page: the count must be just as exact, whatever state
    # the index is in (unbuilt, behind, up to date) and however it is counted.
    assert response.headers["X-Total-Count"] == str(len(titles))
    assert "X-Total-Count-Exact" not in response.headers
    return titles


def _settings(actor: Actor) -> Settings:
    with actor.client.application.app_context():
        return app_state().settings


def test_substring_of_title_or_description_in_any_case(agent: Actor) -> None:
    agent.create_ticket(title="Printer jam", description="Tray 2 is stuck")
    agent.create_ticket(title="VPN drops", description="every hour, the PRINTER too")
    agent.create_ticket(title="Laptop", description="Keyboard sticks")
    assert found(agent, "printer") == ["Printer jam", "VPN drops"]
    assert found(agent, "PrInTeR") == ["Printer jam", "VPN drops"]
    assert found(agent, "rinte") == ["Printer jam", "VPN drops"]  # inside a word
    assert found(agent, "stuck") == ["Printer jam"]
    assert found(agent, "printer jam") == ["Printer jam"]  # spaces are part of the text
    assert found(agent, "the printer") == ["VPN drops"]
    # Title and description are searched apart, not as one text (on PostgreSQL they are kept
    # as one, joined by a line break: `search.SEARCH_TEXT_JOIN`).
    assert found(agent, "jam Tray") == []
    assert found(agent, "jam\nTray") == []
    agent.create_ticket(title="Two lines", description="line one\nLINE two")
    assert found(agent, "one\nline") == ["Two lines"]
    assert found(agent, "two lines\nline") == []
    assert found(agent, "nothing like it") == []


def test_short_text_is_matched_too(agent: Actor) -> None:
    agent.create_ticket(title="Go", description="x")
    agent.create_ticket(title="Printer", description="no go")
    agent.create_ticket(title="Laptop", description="dead")
    assert found(agent, "G") == ["Go", "Printer"]
    assert found(agent, "go") == ["Go", "Printer"]
    assert found(agent, "ap") == ["Laptop"]
    assert found(agent, "q") == []


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        'say "hi"',
        "*",
        "print*",
        "NEAR",
        "NEAR(a b)",
        "a OR b",
        "OR",
        "AND",
        "NOT",
        "-x",
        "a - b",
        "title:",
        "title: x",
        "^start",
        "(x)",
        "x + y",
        "{title}: x",
        "'",
        "\\",
    ],
)
def test_search_syntax_is_plain_text(agent: Actor, text: str) -> None:
    agent.create_ticket(title="plain", description="zzz")
    agent.create_ticket(title=f"with {text} inside", description="x")
    agent.create_ticket(title="described", description=f"[{text}]")
    assert found(agent, text) == [f"with {text} inside", "described"]


@pytest.mark.parametrize("text", ["%", "_", "\\", "50%", "a_b", "C:\\temp", "100% CPU_usage"])
def test_like_wildcards_are_literal(agent: Actor, text: str) -> None:
    agent.create_ticket(title="100% CPU_usage", description="fan loud")
    agent.create_ticket(title="Path", description="saved to C:\\temp\\a_b at 50%")
    # What the texts would match were their wildcards wildcards.
    agent.create_ticket(title="Plain", description="50 percent, a-b, C:Xtemp, 100 CPU usage")
    expected = {
        "%": ["100% CPU_usage", "Path"],
        "_": ["100% CPU_usage", "Path"],
        "\\": ["Path"],
        "50%": ["Path"],
        "a_b": ["Path"],
        "C:\\temp": ["Path"],
        "100% CPU_usage": ["100% CPU_usage"],
    }
    assert found(agent, text) == expected[text]


def test_text_beyond_ascii_in_any_case(agent: Actor) -> None:
    agent.create_ticket(title="Überweisung fehlgeschlagen", description="Konto gesperrt")
    agent.create_ticket(title="Grüße", description="aus Köln")
    agent.create_ticket(title="Plain", description="ueberweisung, ascii only")
    assert found(agent, "Überweisung") == ["Überweisung fehlgeschlagen"]
    assert found(agent, "überweisung") == ["Überweisung fehlgeschlagen"]
    assert found(agent, "ÜBERWEISUNG") == ["Überweisung fehlgeschlagen"]
    assert found(agent, "KÖLN") == ["Grüße"]
    assert found(agent, "ü") == ["Überweisung fehlgeschlagen", "Grüße"]
    assert found(agent, "Ü") == ["Überweisung fehlgeschlagen", "Grüße"]
    assert found(agent, "üß") == ["Grüße"]
    assert found(agent, "ÜSS") == []  # no folding of ß into ss, as in ILIKE
    assert found(agent, "東京") == []


def test_changed_text_is_found_under_its_new_words_only(agent: Actor) -> None:
    ticket = agent.create_ticket(title="Printer jam", description="Tray stuck")
    agent.create_ticket(title="Other", description="unrelated")
    url = f"/api/tickets/{ticket['id']}"
    assert agent.patch(url, json={"title": "Scanner jam"}).status_code == 200
    assert found(agent, "printer") == []
    assert found(agent, "scanner") == ["Scanner jam"]
    assert found(agent, "tray") == ["Scanner jam"]  # the description did not change
    assert agent.patch(url, json={"description": "Feeder broken"}).status_code == 200
    assert found(agent, "tray") == []
    assert found(agent, "feeder") == ["Scanner jam"]
    # Changes to other fields leave the text findable.
    assert agent.patch(url, json={"status": "in_progress", "priority": "high"}).status_code == 200
    assert found(agent, "feeder") == ["Scanner jam"]


def test_deleted_tickets_are_not_found(agent: Actor, session: Session) -> None:
    gone = agent.create_ticket(title="Printer jam")
    agent.create_ticket(title="Printer smoke")
    with session.begin():
        session.execute(delete(Ticket).where(Ticket.id == gone["id"]))
    assert found(agent, "printer") == ["Printer smoke"]
    assert found(agent, "jam") == []


def test_search_narrows_a_list_like_any_filter(agent: Actor, requester: Actor) -> None:
    for n in range(5):
        agent.create_ticket(title=f"Printer {n}", category="hardware" if n % 2 else "general")
    requester.create_ticket(title="My printer")
    requester.create_ticket(title="My laptop")
    response = agent.get("/api/tickets?q=printer&category=hardware&sort=-id&per_page=1&page=2")
    assert [ticket["title"] for ticket in response.get_json()] == ["Printer 1"]
    assert response.headers["X-Total-Count"] == "2"
    assert agent.get("/api/tickets?q=printer").headers["X-Total-Count"] == "6"
    # Requesters find among their own tickets only.
    assert found(requester, "printer") == ["My printer"]
    assert found(requester, "my") == ["My printer", "My laptop"]


HISTORY = (
    "title,description,status,opened_at,requester_email\n"
    "Überweisung hängt,Bank sagt nein,open,2024-01-05T10:00:00Z,alice@example.com\n"
    'Printer jam,"Tray 2, again",waiting,2024-01-06T10:00:00Z,bob@example.com\n'
)


@pytest.mark.parametrize("narrowed", [False, True], ids=["every-ticket", "filtered"])
def test_a_search_counts_as_far_as_the_page_or_the_cap_and_says_when_it_stopped(
    agent: Actor, monkeypatch: pytest.MonkeyPatch, narrowed: bool
) -> None:
    """Matches are counted up to `COUNT_UP_TO` or to the page's last row if further: beyond,
    X-Total-Count is a lower bound, said so, and the links lead on with no last page."""
    ids = [agent.create_ticket(title=f"Printer {n}", category="hardware")["id"] for n in range(6)]
    agent.create_ticket(title="Laptop", category="hardware")
    monkeypatch.setattr(search, "COUNT_UP_TO", 3)
    # Few tickets are each checked, and counted exactly: here the index's matches are.
    monkeypatch.setattr(search, "CHECK_EACH_UP_TO", -1)
    base = "/api/tickets?q=printer&sort=id&per_page=2" + ("&category=hardware" if narrowed else "")

    def page(number: int) -> tuple[list[int], str, str | None, str]:
        response = agent.get(f"{base}&page={number}")
        assert response.status_code == 200
        headers = response.headers
        got = [ticket["id"] for ticket in response.get_json()]
        return got, headers["X-Total-Count"], headers.get("X-Total-Count-Exact"), headers["Link"]

    got, total, exact, links = page(1)
    assert (got, total, exact) == (ids[:2], "3", "false")  # more than 3
    assert f'<{base}&page=2>; rel="next"' in links
    assert 'rel="last"' not in links
    got, total, exact, links = page(2)  # counted to its last row, the 4th
    assert (got, total, exact) == (ids[2:4], "4", "false")
    assert f'<{base}&page=1>; rel="prev"' in links and f'<{base}&page=3>; rel="next"' in links
    got, total, exact, links = page(3)  # counted to the 6th: all there are
    assert (got, total, exact) == (ids[4:], "6", None)
    assert f'<{base}&page=3>; rel="last"' in links and 'rel="next"' not in links


@pytest.mark.parametrize("deferred", [False, True], ids=["small", "deferred-indexes"])
def test_imported_tickets_are_found(
    admin: Actor, agent: Actor, monkeypatch: pytest.MonkeyPatch, deferred: bool
) -> None:
    agent.create_ticket(title="Already here", description="printer toner")
    if deferred:  # take the big-load path, which rebuilds indexes after filling the table
        monkeypatch.setattr(indexes, "WORTH_IT", 1)
    imported = admin.post(
        "/api/admin/import?source=old.csv", data=HISTORY, headers={"Content-Type": "text/csv"}
    )
    assert imported.status_code == 201, imported.get_json()
    assert found(agent, "überweisung") == ["Überweisung hängt"]
    assert found(agent, "TRAY 2") == ["Printer jam"]
    assert found(agent, "printer") == ["Already here", "Printer jam"]
    assert found(agent, "ä") == ["Überweisung hängt"]
    # Tickets written after the load are indexed as ever.
    agent.create_ticket(title="Printer again", description="x")
    assert found(agent, "printer") == ["Already here", "Printer jam", "Printer again"]


def test_the_benchmark_loader_leaves_every_ticket_findable(
    app: Flask, database_url: str, session: Session
) -> None:
    credentials = data.load(database_url, tickets=400)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {credentials.agent}"}
    tickets = session.execute(select(Ticket.title, Ticket.description)).all()
    for word in ("printer", "VPN", "#12", "Ticket 3"):
        response = client.get("/api/tickets", query_string={"q": word}, headers=headers)
        assert response.status_code == 200
        matching = [t for t in tickets if word.lower() in f"{t.title}\n{t.description}".lower()]
        assert matching, word
        assert response.headers["X-Total-Count"] == str(len(matching)), word


def test_text_of_three_or_more_characters_is_looked_up_in_the_index(
    session: Session, backend: str
) -> None:
    query = search.narrowed(select(Ticket), dialect=backend).params(search.text_values("printer"))
    sql = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    with session.begin():
        if backend == "postgresql":  # on an empty table a scan is cheaper: rule it out
            session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
            prefix = "EXPLAIN "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        plan = str(session.connection().exec_driver_sql(prefix + str(sql)).all())
    if backend == "postgresql":
        assert "ix_tickets_search_text_trgm" in plan
    else:
        assert "SCAN search.ticket_search VIRTUAL TABLE" in plan


def test_a_search_is_planned_for_its_own_values_on_postgresql(
    backend: str, database: Database, requester: Actor, agent: Actor
) -> None:
    """psycopg prepares a statement from its fifth run, and PostgreSQL may then plan it once
    for every value (for a requester's search, 40 times slower at a million tickets)."""
    if backend != "postgresql":
        pytest.skip("prepared statements are psycopg's")
    requester.create_ticket(title="Printer jam")
    with database.read_session() as session:
        user = session.get(User, requester.user_id) or pytest.fail("no requester")
        driver = session.connection().connection.dbapi_connection
        for _ in range(8):
            listed = list_tickets(session, actor=user, filters=TicketFilters(text="printer"))
            assert [ticket["title"] for ticket in listed[0]] == ["Printer jam"]
        assert driver is not None and driver.prepare_threshold == 5  # as it was, after them
        prepared = session.connection().exec_driver_sql(
            "SELECT statement FROM pg_prepared_statements"
        )
        assert [sql for sql in prepared.scalars() if "search_text" in sql] == []
