"""The benchmark's server: what `ticketdesk serve` runs, plus one trivial JSON endpoint.

The extra endpoint is the framework ceiling: the same gunicorn, workers, Flask app, request
guards and response headers, but no authentication and no database. It exists only in the
processes this module starts, never in the shipped app.

    DATABASE_URL=... python -m bench.serve --port 8123 --workers 2 --threads 4
"""

from __future__ import annotations

import argparse

from flask import Flask, Response, jsonify

from ticketdesk.server import run
from ticketdesk.settings import Settings

CEILING_PATH = "/api/_bench/ceiling"


def _ceiling() -> Response:
    return jsonify({"ok": True})


def add_ceiling(app: Flask) -> None:
    app.add_url_rule(CEILING_PATH, "bench_ceiling", _ceiling)


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
        extend=add_ceiling,
    )


if __name__ == "__main__":
    main()
