"""`ticketdesk import tickets FILE`: bring in history, with a progress bar on a terminal."""

from __future__ import annotations

import sys
from typing import BinaryIO, NoReturn

import click
from tqdm import tqdm

from ticketdesk.imports.csvfile import SHOWN_PROBLEMS, ImportRejected, read
from ticketdesk.imports.service import import_tickets
from ticketdesk.settings import Settings


@click.group("import")
def import_group() -> None:
    """Bring in history from another help desk."""


@import_group.command("tickets")
@click.argument("file", type=click.File("rb"))
@click.option("--check", is_flag=True, help="only check the file; import nothing")
@click.pass_obj
def import_tickets_command(settings: Settings, file: BinaryIO, check: bool) -> None:
    """Import tickets from a CSV FILE ("-" for standard input), all or nothing.

    Header: title,description,status,category,priority,opened_at,resolved_at,closed_at,
    requester_email (other columns are ignored). Times are ISO 8601, UTC when they name no
    zone. Any bad row is reported by line and nothing is imported.
    """
    from ticketdesk.cli import transaction

    data = file.read()
    name = getattr(file, "name", "-")
    if check:
        try:
            count = len(read(data))
        except ImportRejected as rejected:
            _report(rejected)
        click.echo(f"{count} tickets would be imported; nothing was", err=True)
        return
    with tqdm(unit="tickets", disable=not sys.stderr.isatty()) as bar:

        def progress(stored: int, total: int) -> None:
            bar.total = total
            bar.update(stored)

        try:
            with transaction(settings) as session:
                result = import_tickets(session, data=data, source=str(name), progress=progress)
        except ImportRejected as rejected:
            _report(rejected)
    click.echo(
        f"imported {result.tickets} tickets (ids {result.first_ticket_id}-"
        f"{result.last_ticket_id}); created {result.requesters_created} requesters",
        err=True,
    )


def _report(rejected: ImportRejected) -> NoReturn:
    for problem in rejected.problems[:SHOWN_PROBLEMS]:
        click.echo(str(problem), err=True)
    hidden = len(rejected.problems) - SHOWN_PROBLEMS
    if hidden > 0:
        click.echo(f"... and {hidden} more", err=True)
    raise click.ClickException(
        f"{len(rejected.problems)} problems in the file; nothing was imported"
    )
