"""The `ticketdesk` command. Its interface is a contract: operators' scripts rely on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ticketdesk import migrate
from ticketdesk.accounts import service as accounts
from ticketdesk.accounts.models import User
from ticketdesk.accounts.passwords import generate_password
from ticketdesk.db import open_database
from ticketdesk.enums import Role
from ticketdesk.errors import DomainError
from ticketdesk.settings import Settings


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    """One committed transaction on the configured database; domain errors exit 1."""
    database = open_database(settings.database_url)
    try:
        with database.session(write=True) as session, session.begin():
            yield session
    except DomainError as error:
        raise click.ClickException(error.message) from error
    finally:
        database.dispose()


@click.group()
@click.pass_context
def main(context: click.Context) -> None:
    """ticketdesk: a help desk with built-in analytics."""
    context.obj = Settings()


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_obj
def db_upgrade(settings: Settings) -> None:
    """Apply migrations to DATABASE_URL."""
    migrate.upgrade(settings.database_url)
    click.echo("database is up to date", err=True)


@main.group()
def users() -> None:
    """User accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", default=None, help="display name (default: the email's local part)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.pass_obj
def users_create(
    settings: Settings, email: str, role: str, name: str | None, password_stdin: bool
) -> None:
    """Create a user. Without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    with transaction(settings) as session:
        user = accounts.create_user(
            session, email=email, role=Role(role), name=name, password=password
        )
        click.echo(f"created {user.role} {user.email} (id {user.id})", err=True)
    if not password_stdin:
        click.echo(f"password: {password}")


@main.group()
def tokens() -> None:
    """API tokens for scripts and integrations."""


@tokens.command("create")
@click.argument("email")
@click.option("--label", default="", help="what the token is for")
@click.pass_obj
def tokens_create(settings: Settings, email: str, label: str) -> None:
    """Create a token for EMAIL and print it (only the token, on stdout)."""
    with transaction(settings) as session:
        user = accounts.find_user(session, email=email)
        if user is None:
            raise click.ClickException(f"no user with email {email}")
        _token, raw_token = accounts.create_token(session, user_id=user.id, label=label)
    click.echo(raw_token)


@tokens.command("revoke")
@click.argument("token", required=False)
@click.option("--id", "token_id", type=int, help="revoke by id instead of by value")
@click.pass_obj
def tokens_revoke(settings: Settings, token: str | None, token_id: int | None) -> None:
    """Revoke a token, given its value (or --id)."""
    if (token is None) == (token_id is None):
        raise click.UsageError("give either TOKEN or --id")
    with transaction(settings) as session:
        if token_id is not None:
            revoked = accounts.revoke_token(session, token_id=token_id)
        else:
            revoked = accounts.revoke_raw_token(session, raw_token=token or "")
        click.echo(f"revoked token {revoked.id}", err=True)


@main.command("demo-data")
@click.option("--tickets", default=300, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--seed", default=7, show_default=True, help="random seed, for repeatable data")
@click.pass_obj
def demo_data(settings: Settings, tickets: int, seed: int) -> None:
    """Fill an empty database with demo users and months of ticket history.

    The demo logins are printed and kept in <instance>/demo-logins.txt (mode 600), so that
    `make run` can show them again on later starts.
    """
    from ticketdesk.demo import seed_demo

    logins_file = settings.instance_path / "demo-logins.txt"
    with transaction(settings) as session:
        if session.scalar(select(func.count(User.id))):
            click.echo("the database already has users; no demo data added", err=True)
            if logins_file.exists():
                click.echo(logins_file.read_text(), nl=False)
            return
        logins = seed_demo(session, tickets=tickets, seed=seed)
    lines = [f"demo data: {tickets} tickets. Sign in at http://127.0.0.1:8000 with:"]
    lines += [
        f"  {login.role:<9} {login.email:<22} password {login.password}  token {login.token}"
        for login in logins[:5]
    ]
    text = "\n".join(lines) + "\n"
    logins_file.parent.mkdir(parents=True, exist_ok=True)
    logins_file.touch(mode=0o600)
    logins_file.write_text(text)
    click.echo(text, nl=False)


def _upgrade_if_reachable(settings: Settings) -> None:
    """Upgrade the schema; if the database cannot be reached, serve anyway: the API answers
    503 until it is back, and recovers then without a restart."""
    try:
        migrate.upgrade(settings.database_url)
    except OperationalError as error:
        click.echo(
            f"warning: the database is unreachable ({error.orig}); serving 503 until it is "
            "back. Pending migrations are not applied: run `ticketdesk db upgrade` then.",
            err=True,
        )


def _register_area_commands() -> None:
    """Command groups that live with their area's code."""
    from ticketdesk.analytics.cli import analytics_group
    from ticketdesk.imports.cli import import_group

    main.add_command(import_group)
    main.add_command(analytics_group)


_register_area_commands()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--service",
    type=click.Choice(["all", "tickets", "analytics"]),
    default="all",
    show_default=True,
    help="serve every service, or one of them alone (split deployment)",
)
@click.pass_obj
def serve(
    settings: Settings, host: str, port: int, workers: int, threads: int, service: str
) -> None:
    """Run the production server (gunicorn), upgrading the schema first."""
    from ticketdesk.server import run

    if service != "analytics":  # the analytics service may sit on a read-only replica
        _upgrade_if_reachable(settings)
    services = ("tickets", "analytics") if service == "all" else (service,)
    run(settings, services=services, bind=f"{host}:{port}", workers=workers, threads=threads)
