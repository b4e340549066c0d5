"""Time `?q=` through the ticket service on a database already filled by `bench.data`:
each text a few times as an agent (every ticket) and as a requester (their own), the page
and its total count, as `GET /api/tickets?q=...` runs them.

    DATABASE_URL=... python -m bench.search_bench --words 31 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select

from bench.data import WORDS
from ticketdesk.accounts.models import User
from ticketdesk.db import Database, open_database
from ticketdesk.enums import Role
from ticketdesk.settings import Settings
from ticketdesk.tickets.service import TicketFilters, list_tickets

# Beside the benchmark's words (each in about one ticket in eight): text in exactly one
# ticket, text in none, and text too short for a trigram.
OTHER_TEXTS = {"rare": ["#123457", "#987651"], "absent": ["zebra", "qqq"], "short": ["vp", "x"]}


def timed(database: Database, user: User, text: str, repeat: int) -> tuple[float, int]:
    """The median milliseconds to list the first page of `text`, and how many match."""
    times = []
    total = 0
    for _ in range(repeat):
        with database.session() as session:
            started = time.perf_counter()
            _page, counted = list_tickets(session, actor=user, filters=TicketFilters(text=text))
            total = counted.count
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=len(WORDS), help="how many of bench.data's")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    database = open_database(Settings().database_url)
    try:
        with database.session() as session:
            agent = session.scalars(select(User).where(User.role == Role.AGENT).limit(1)).one()
            requester = session.scalars(
                select(User).where(User.role == Role.REQUESTER).limit(1)
            ).one()
        groups = {"words": WORDS[: args.words], **OTHER_TEXTS}
        for who, user in (("agent", agent), ("requester", requester)):
            for group, texts in groups.items():
                results = [timed(database, user, text, args.repeat) for text in texts]
                times = [ms for ms, _total in results]
                totals = [total for _ms, total in results]
                print(
                    f"{who:<9} {group:<6} {len(texts):>2} texts  "
                    f"median {statistics.median(times):8.1f} ms  max {max(times):8.1f} ms  "
                    f"matches {min(totals):,}-{max(totals):,}",
                    flush=True,
                )
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
