"""`ticketdesk analytics rebuild`: recompute the aggregate tables from the tickets."""

from __future__ import annotations

import click

from ticketdesk.analytics.rebuild import rebuild_all
from ticketdesk.settings import Settings


@click.group("analytics")
def analytics_group() -> None:
    """The analytics service's aggregate tables."""


@analytics_group.command("rebuild")
@click.pass_obj
def rebuild(settings: Settings) -> None:
    """Recompute every aggregate from the tickets (they are kept up to date as tickets
    change; this is for repairs, e.g. after editing tickets by hand in SQL)."""
    from ticketdesk.cli import transaction

    with transaction(settings) as session:
        rebuild_all(session.connection())
    click.echo("analytics aggregates rebuilt", err=True)
