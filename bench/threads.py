"""CPU a request costs in process, alone and with other threads of the same process (and,
on a local PostgreSQL, what it costs the database's processes).

A gunicorn worker runs `--threads` requests at once. What they cost one another (the GIL
changing hands, which callgrind's counts in `bench.instructions` do not see) shows as the
CPU a request costs with several threads against one: each round sends `--requests`
requests in the Flask test client, shared out among the threads, and divides the process's
CPU (user and system, `getrusage`) by them. Rounds alternate one thread and `--threads`.

    python -m bench.threads --url sqlite:////tmp/desks/sqlite-1000000.sqlite3 \\
        --tokens /tmp/desks/sqlite-1000000.json /api/analytics/first_response
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import threading
from pathlib import Path


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _postgres_cpu_seconds() -> float:
    """CPU used so far by the local PostgreSQL server's processes (Linux /proc): what a
    request costs the database, beside what it costs the app."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == "postgres":
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:  # the process ended meanwhile
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", help="the GET to send, e.g. /api/tickets/1")
    parser.add_argument("--url", required=True, help="the database of a kept bench desk")
    parser.add_argument("--tokens", type=Path, required=True, help="its tokens (JSON)")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from ticketdesk.app import create_app
    from ticketdesk.settings import Settings

    app = create_app(
        Settings(
            env="production",
            database_url=args.url,
            secret_key="threads-" * 5,
            instance_path=Path(tempfile.mkdtemp()),
        )
    )
    postgres = args.url.startswith("postgresql")
    headers = {"Authorization": f"Bearer {json.loads(args.tokens.read_text())['agent']}"}

    def send(requests: int) -> None:
        client = app.test_client()
        for _ in range(requests):
            response = client.get(args.path, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{args.path}: {response.status_code}")

    send(10)  # warm-up: caches, prepared statements, pooled connections
    for _ in range(args.rounds):
        for threads in (1, args.threads):
            started, database_started = _cpu_seconds(), _postgres_cpu_seconds()
            workers = [
                threading.Thread(target=send, args=(args.requests // threads,))
                for _ in range(threads)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            sent = args.requests // threads * threads
            per_request = (_cpu_seconds() - started) / sent * 1000
            database = (_postgres_cpu_seconds() - database_started) / sent * 1000
            print(
                f"{threads} thread(s): {per_request:6.2f} ms of CPU per request"
                + (f", PostgreSQL {database:5.2f} ms" if postgres else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
