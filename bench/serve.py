"""The benchmark's server: what `ticketdesk serve` runs, plus two reference endpoints.

The framework ceiling is a trivial JSON answer: the same gunicorn, workers, Flask app,
request guards and response headers, but no authentication and no database. The bare read
is a ticket read by primary key as a plain Flask + SQLAlchemy app would do it (the ORM's
`Session.get`, `jsonify`), without authentication, visibility or the API's shape: what the
API's read costs beyond it is what authentication and the API add. Both exist only in the
processes this module starts, never in the shipped app.

    DATABASE_URL=... python -m bench.serve --port 8123 --workers 2 --threads 4
"""

from __future__ import annotations

import argparse

from flask import Flask, Response, abort, jsonify

from ticketdesk.server import run
from ticketdesk.settings import Settings
from ticketdesk.tickets.models import Ticket
from ticketdesk.web.context import app_state

CEILING_PATH = "/api/_bench/ceiling"
BARE_READ_PATH = "/api/_bench/bare"


def _ceiling() -> Response:
    return jsonify({"ok": True})


def _bare_read(ticket_id: int) -> Response:
    with app_state().database.read_session() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            abort(404)
        return jsonify({column.key: getattr(ticket, column.key) for column in Ticket.__table__.c})


def add_reference_endpoints(app: Flask) -> None:
    app.add_url_rule(CEILING_PATH, "bench_ceiling", _ceiling)
    app.add_url_rule(f"{BARE_READ_PATH}/<int:ticket_id>", "bench_bare_read", _bare_read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    run(
        Settings(),
        services=("tickets", "analytics"),
        bind=f"127.0.0.1:{args.port}",
        workers=args.workers,
        threads=args.threads,
        extend=add_reference_endpoints,
    )


if __name__ == "__main__":
    main()
