"""The `ticketdesk` command line: its interface is a contract."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ticketdesk.accounts.models import User
from ticketdesk.cli import main
from ticketdesk.db import Database
from ticketdesk.settings import Settings
from ticketdesk.tickets.models import Comment, Ticket, TicketChange


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, app: object) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TICKETDESK_INSTANCE", str(settings.instance_path))
    return CliRunner()


def test_db_upgrade_is_idempotent(cli: CliRunner) -> None:
    result = cli.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output


def test_users_create_prints_a_generated_password_once(cli: CliRunner, database: Database) -> None:
    result = cli.invoke(
        main, ["users", "create", "ops@example.com", "--role", "agent", "--name", "Ops"]
    )
    assert result.exit_code == 0, result.output
    password = result.stdout.strip().removeprefix("password: ")
    assert len(password) >= 12
    with database.session() as session:
        user = session.scalars(select(User).where(User.email == "ops@example.com")).one()
        assert (user.name, user.role) == ("Ops", "agent")
        assert password not in (user.password_hash or "")


def test_users_create_reads_password_from_stdin(cli: CliRunner, app: object) -> None:
    result = cli.invoke(
        main,
        ["users", "create", "a@example.com", "--role", "admin", "--password-stdin"],
        input="s3cret-pass-phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "password" not in result.stdout
    client = app.test_client()  # type: ignore[attr-defined]
    token = cli.invoke(main, ["tokens", "create", "a@example.com", "--label", "ci"]).stdout
    response = client.get("/api/users", headers={"Authorization": f"Bearer {token.strip()}"})
    assert response.status_code == 200


def test_users_create_refuses_duplicates_and_bad_roles(cli: CliRunner) -> None:
    assert cli.invoke(main, ["users", "create", "b@example.com", "--role", "agent"]).exit_code == 0
    again = cli.invoke(main, ["users", "create", "b@example.com", "--role", "agent"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert cli.invoke(main, ["users", "create", "c@example.com", "--role", "boss"]).exit_code == 2


def test_tokens_create_prints_only_the_token_and_revoke_ends_it(
    cli: CliRunner, app: object
) -> None:
    cli.invoke(main, ["users", "create", "t@example.com", "--role", "agent"])
    result = cli.invoke(main, ["tokens", "create", "t@example.com"])
    token = result.stdout
    assert token.startswith("td_") and token.count("\n") == 1
    client = app.test_client()  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token.strip()}"}
    assert client.get("/api/tickets", headers=headers).status_code == 200
    assert cli.invoke(main, ["tokens", "revoke", token.strip()]).exit_code == 0
    assert client.get("/api/tickets", headers=headers).status_code == 401
    assert cli.invoke(main, ["tokens", "create", "nobody@example.com"]).exit_code == 1


def test_demo_data_builds_believable_history(cli: CliRunner, database: Database) -> None:
    result = cli.invoke(main, ["demo-data", "--tickets", "60"])
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.stdout
    with database.session() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 60
        statuses = set(session.scalars(select(Ticket.status).distinct()))
        assert {"open", "resolved", "closed"} <= statuses
        assert session.scalar(select(func.count(func.distinct(Ticket.category)))) >= 4
        assert session.scalar(select(func.count(Comment.id))) > 60
        assert session.scalar(select(func.count(TicketChange.id))) > 60
        resolved = session.scalars(select(Ticket).where(Ticket.resolved_at.is_not(None))).all()
        assert all(t.resolved_at and t.resolved_at > t.opened_at for t in resolved)
    again = cli.invoke(main, ["demo-data"])
    assert "already has users" in again.output
