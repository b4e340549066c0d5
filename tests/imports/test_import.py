"""Importing history from CSV: exact times and zones, every bad row by line, all or nothing,
the admin endpoint, and a 100,000-row file whose analytics match pandas over the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import Actor
from ticketdesk.accounts.models import User
from ticketdesk.analytics import resolution, service
from ticketdesk.cli import main
from ticketdesk.settings import Settings
from ticketdesk.tickets.models import Ticket, TicketChange

HEADER = (
    "title,description,status,category,priority,opened_at,resolved_at,closed_at,requester_email"
)
GOOD = (
    f"{HEADER},legacy_id\n"
    'VPN down,"It drops\nevery hour",closed,network,high,'
    "2024-01-05T10:00:00+02:00,2024-01-06 09:00,2024-01-07T00:00Z,Alice@Example.com,77\n"
    ",Printer jam,open,,,2024-02-01T08:00:00,,,bob@example.com,78\n"
    "Closed unresolved,,Closed,billing,LOW,2024-02-03,,2024-02-10T12:00:00-05:00,"
    "alice@example.com,79\n"
)
BAD = f"""{HEADER}
Fine,fine,open,,,2024-01-01,,,a@example.com
Two,"multi
line",pending,,,yesterday,,,not-an-email
Three,x,resolved,,,2024-01-05,2024-01-04,,a@example.com
Four,x,closed,,,2024-01-05,,,a@example.com
Five,x,open,,urgentest,2024-01-05,2024-01-06,,a@example.com
,,open,,,2024-01-05,,,a@example.com
"""


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, app: object) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TICKETDESK_INSTANCE", str(settings.instance_path))
    return CliRunner()


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "history.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_good_file_keeps_its_history(cli: CliRunner, tmp_path: Path, session: Session) -> None:
    result = cli.invoke(main, ["import", "tickets", write(tmp_path, GOOD)])
    assert result.exit_code == 0, result.output
    assert "imported 3 tickets" in result.output
    tickets = session.scalars(select(Ticket).order_by(Ticket.id)).all()
    vpn, printer, unresolved = tickets
    assert vpn.description == "It drops\nevery hour"
    assert str(vpn.opened_at) == "2024-01-05 08:00:00+00:00"  # +02:00 taken into account
    assert str(vpn.resolved_at) == "2024-01-06 09:00:00+00:00"  # no zone: UTC
    assert str(vpn.closed_at) == "2024-01-07 00:00:00+00:00"
    assert (printer.title, printer.category, printer.priority) == (
        "Printer jam",
        "general",
        "normal",
    )
    assert (unresolved.status, unresolved.priority) == ("closed", "low")
    assert str(unresolved.closed_at) == "2024-02-10 17:00:00+00:00"
    emails = session.scalars(select(User.email).order_by(User.email)).all()
    assert emails == ["alice@example.com", "bob@example.com"]
    assert vpn.requester_id == unresolved.requester_id
    history = session.scalars(select(TicketChange).order_by(TicketChange.ticket_id)).all()
    assert [change.field for change in history] == ["imported"] * 3
    assert history[0].new_value == f"closed (from {tmp_path / 'history.csv'}, line 2)"
    assert history[2].new_value.endswith("line 5)")  # the quoted line break counts
    # The analytics see the imported history exactly.
    assert service.counts_by_category(session) == {"billing": 1, "general": 1, "network": 1}
    summary = resolution.resolution_summary(session).frame().set_index("category")
    assert summary.loc["network", "mean_hours"] == 25.0  # resolved, then closed: resolved_at
    assert summary.loc["billing", "mean_hours"] == 7 * 24 + 17  # closed without resolution
    # A second import adds to the first, with new ids and the same requesters.
    again = cli.invoke(main, ["import", "tickets", write(tmp_path, GOOD)])
    assert "ids 4-6" in again.output and "created 0 requesters" in again.output
    session.rollback()  # a fresh snapshot
    assert service.counts_by_category(session) == {"billing": 2, "general": 2, "network": 2}


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(
    cli: CliRunner, tmp_path: Path, session: Session
) -> None:
    result = cli.invoke(main, ["import", "tickets", write(tmp_path, BAD)])
    assert result.exit_code == 1
    for problem in [
        "line 3: status: must be one of",
        "line 3: opened_at: is not an ISO 8601 time",
        "line 3: requester_email: is not a valid email address",
        "line 5: resolved_at: is before opened_at",
        "line 6: closed_at: is required when closed",
        "line 7: priority: must be one of",
        "line 7: resolved_at: must be empty for an active ticket",
        "line 8: description: a title or a description is required",
    ]:
        assert problem in result.output, problem
    assert "line 2" not in result.output
    assert "8 problems in the file; nothing was imported" in result.output
    assert session.scalar(select(func.count(Ticket.id))) == 0
    assert session.scalar(select(func.count(User.id))) == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title,status\nx,open\n", "line 1: header: missing column opened_at"),
        (f"{HEADER}\nA,a,open,,,2024-01-01,,,a@example.com,extra\n", "line 2: row: has more"),
        (
            f"{HEADER}\nA,a,open,,,2024-01-01,,,a@example.com\nB,b,open,,,2024-01-01,,,a@b.co,x\n",
            "line 3: row: Expected 9 fields",
        ),
        (f'{HEADER}\nA,"a,open,,,2024-01-01,,,a@example.com\n', "row: EOF inside string"),
        (f"{HEADER}\nA,a\x00,open,,,2024-01-01,,,a@example.com\n", "line 2: file: has a NUL"),
    ],
)
def test_malformed_files(cli: CliRunner, tmp_path: Path, text: str, problem: str) -> None:
    result = cli.invoke(main, ["import", "tickets", write(tmp_path, text)])
    assert result.exit_code == 1
    assert problem in result.output


def test_not_utf8(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\nCaf\xe9,x,open,,,2024-01-01,,,a@example.com\n".encode("latin-1"))
    result = cli.invoke(main, ["import", "tickets", str(path)])
    assert "line 2: file: is not UTF-8 text" in result.output


def test_check_only(cli: CliRunner, tmp_path: Path, session: Session) -> None:
    result = cli.invoke(main, ["import", "tickets", "--check", write(tmp_path, GOOD)])
    assert result.exit_code == 0
    assert "3 tickets would be imported" in result.output
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_the_admin_endpoint(admin: Actor, agent: Actor, session: Session) -> None:
    csv_headers = {"Content-Type": "text/csv"}
    url = "/api/admin/import?source=legacy.csv"
    assert agent.post(url, data=GOOD, headers=csv_headers).status_code == 403
    assert admin.post(url, json={"csv": GOOD}).status_code == 415
    bad = admin.post(url, data=BAD, headers=csv_headers)
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    fields = [error["field"] for error in bad.get_json()["errors"]]
    assert fields[:3] == ["line 3.status", "line 3.opened_at", "line 3.requester_email"]
    assert session.scalar(select(func.count(Ticket.id))) == 0
    good = admin.post(url, data=GOOD.encode(), headers=csv_headers)
    assert good.status_code == 201, good.get_json()
    assert good.get_json() == {
        "tickets": 3,
        "requesters_created": 2,
        "first_ticket_id": 1,
        "last_ticket_id": 3,
    }
    session.rollback()  # a fresh snapshot
    change = session.scalars(select(TicketChange).where(TicketChange.ticket_id == 1)).one()
    assert change.actor_id == admin.user_id
    assert "legacy.csv, line 2" in (change.new_value or "")
    listed = agent.get("/api/tickets?sort=opened_at").get_json()
    assert [ticket["title"] for ticket in listed] == [
        "VPN down",
        "Printer jam",
        "Closed unresolved",
    ]


def generated(rows: int, seed: int = 3) -> pd.DataFrame:
    """History in several zones, with reopened-then-closed and unresolved closes."""
    rng = np.random.default_rng(seed)
    opened = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 365 * 86400, rows), unit="s"
    )
    done = opened + pd.to_timedelta(rng.lognormal(np.log(20 * 3600), 1.4, rows).round(), unit="s")
    status = rng.choice(["open", "waiting", "resolved", "closed", "closed"], rows)
    unresolved = rng.random(rows) < 0.3
    zone = rng.choice(["+00:00", "+05:30", "-08:00", ""], rows)

    def text(moments: pd.Series, keep: np.ndarray) -> pd.Series:
        local = pd.Series(moments).dt.tz_convert("UTC")
        shifted = [
            (m.tz_convert(z).strftime("%Y-%m-%dT%H:%M:%S") + z)
            if z
            else m.strftime("%Y-%m-%d %H:%M:%S")
            for m, z in zip(local, zone, strict=True)
        ]
        return pd.Series(shifted).where(keep, "")

    is_closed = status == "closed"
    return pd.DataFrame(
        {
            "title": "Imported",
            "description": "From the old system",
            "status": status,
            "category": rng.choice(["a", "b", "c", "quiet"], rows),
            "priority": "",
            "opened_at": text(opened, np.ones(rows, bool)),
            "resolved_at": text(done, (status == "resolved") | (is_closed & ~unresolved)),
            "closed_at": text(done + pd.Timedelta(hours=1), is_closed),
            "requester_email": [f"user{n}@example.com" for n in rng.integers(0, 5000, rows)],
        }
    )


@pytest.mark.slow
def test_a_file_of_100000_rows(cli: CliRunner, tmp_path: Path, session: Session) -> None:
    frame = generated(100_000)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    result = cli.invoke(main, ["import", "tickets", str(path)])
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count(Ticket.id))) == 100_000
    # The truth, from the file alone.
    truth = frame.assign(
        opened=pd.to_datetime(frame["opened_at"], format="ISO8601", utc=True),
        done=pd.to_datetime(
            frame["resolved_at"]
            .where(frame["resolved_at"] != "", frame["closed_at"])
            .replace("", None),
            format="ISO8601",
            utc=True,
        ),
    )
    assert service.counts_by_category(session) == truth["category"].value_counts().to_dict()
    active = truth[truth["status"].isin(["open", "waiting"])]["category"].value_counts()
    got = service.active_by_category(session).frame().set_index("category")["count"].to_dict()
    assert got == active.to_dict()
    truth["hours"] = (truth["done"] - truth["opened"]).dt.total_seconds() / 3600
    summary = resolution.resolution_summary(session).frame().set_index("category")
    done = truth.dropna(subset=["done"])
    for category, hours in done.groupby("category")["hours"]:
        assert summary.loc[category, "count"] == len(hours)
        assert summary.loc[category, "mean_hours"] == pytest.approx(hours.mean(), rel=1e-9)
    monthly = resolution.resolution_time_by_month(session).frame().set_index("month")["mean_hours"]
    expected = done.groupby(done["done"].dt.strftime("%Y-%m"))["hours"].mean()
    assert monthly.to_dict() == pytest.approx(expected.to_dict(), rel=1e-9)
