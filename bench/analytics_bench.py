"""Analytics benchmark: every endpoint at 10,000 and 1,000,000 tickets, on SQLite and
PostgreSQL, against the naive way (every ticket loaded into pandas), plus the import.

    make bench            # or: python bench/analytics_bench.py --sizes 10000,1000000
    python bench/analytics_bench.py --sizes 1000000 --import-only 3   # the import alone

Each size gets a fresh database: the generator writes a CSV, `import_tickets` loads it (the
same code as `ticketdesk import tickets`), agents' first replies are bulk-loaded as comments.
Endpoints are timed in a fresh worker process through the Flask test client (median of
REPEAT requests after a warm-up); its peak memory is reported. The naive computation runs in
another fresh process. PostgreSQL is used when TICKETDESK_BENCH_POSTGRES (default
postgresql://postgres@127.0.0.1:5432/test) answers; a database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import psycopg
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from analytics_data import write_csv

from ticketdesk import migrate
from ticketdesk.accounts.service import create_token, create_user
from ticketdesk.analytics.rebuild import rebuild_first_responses
from ticketdesk.db import create_db_engine, open_database
from ticketdesk.enums import Role
from ticketdesk.imports.bulk import bulk_insert
from ticketdesk.imports.service import import_tickets
from ticketdesk.tickets.models import Comment, Ticket

DATA = Path(__file__).resolve().parent / "data"
POSTGRES = os.environ.get("TICKETDESK_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REPEAT = 15
NOW = datetime.now(UTC)
ODD_FROM = quote((NOW - timedelta(days=200, hours=5, minutes=7)).isoformat())
ODD_TO = quote((NOW - timedelta(days=20, hours=3)).isoformat())
QUARTER_AGO = (NOW - timedelta(days=92)).strftime("%Y-%m-01")
ENDPOINTS = [
    "ticket_counts?period=month",
    "ticket_counts?period=year",
    "counts_by_category",
    f"counts_by_category?status=open,in_progress&from={ODD_FROM}&to={ODD_TO}",
    "active_by_category",
    "resolution_times",
    "resolution_times?page=200",
    "resolution_times/summary",
    f"resolution_times/summary?from={QUARTER_AGO}",
    "resolution_time_by_month",
    "ticket_volume?interval=day",
    "ticket_volume?interval=week",
    "ticket_volume?interval=month",
    "first_response",
    "counts_by_category?format=csv",
]


# --- setting up a database of N tickets ----------------------------------------------------


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    if backend == "sqlite":
        path = DATA / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"ticketdesk_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{POSTGRES.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seconds(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def load(url: str, csv_path: Path) -> dict[str, Any]:
    """Import the CSV, add agents' replies, make an agent token; returns timings and token."""
    migrate.upgrade(url)
    database = open_database(url, sqlite_synchronous="NORMAL")
    data = csv_path.read_bytes()
    with database.session(write=True) as session, session.begin():
        agent = create_user(session, email="bench-agent@example.com", role=Role.AGENT)
        _token, token = create_token(session, user_id=agent.id, label="bench")
        agent_id = agent.id
    with database.session(write=True) as session, session.begin():
        import_seconds = seconds(lambda: import_tickets(session, data=data, source=csv_path.name))
    with database.session(write=True) as session, session.begin():
        replies_seconds = seconds(lambda: _add_replies(session, agent_id))
    database.dispose()
    return {"import_s": import_seconds, "replies_s": replies_seconds, "token": token}


def _add_replies(session: Any, agent_id: int) -> None:
    rows = session.execute(select(Ticket.id, Ticket.opened_at)).all()
    frame = pd.DataFrame(rows, columns=["ticket_id", "opened_at"])
    rng = np.random.default_rng(2)
    frame = frame[rng.random(len(frame)) < 0.8]
    delay = pd.to_timedelta(rng.lognormal(np.log(3 * 3600), 1.5, len(frame)).round(), unit="s")
    comments = pd.DataFrame(
        {
            "ticket_id": frame["ticket_id"].to_numpy(),
            "author_id": agent_id,
            "content": "Thanks, looking into it.",
            "internal": False,
            "created_at": (pd.to_datetime(frame["opened_at"], utc=True) + delay).to_numpy(),
        }
    )
    comments["created_at"] = pd.to_datetime(comments["created_at"], utc=True)
    bulk_insert(session, Comment.__table__, comments)
    rebuild_first_responses(session.connection())


# --- measuring, each in a fresh process ----------------------------------------------------


def measure_endpoints(url: str, token: str) -> dict[str, Any]:
    from ticketdesk.app import create_app
    from ticketdesk.settings import Settings

    settings = Settings(
        TICKETDESK_ENV="test",
        database_url=url,
        secret_key="bench",  # noqa: S106
        TICKETDESK_INSTANCE=DATA,
    )
    app = create_app(settings, services=("analytics",))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    medians = []
    for endpoint in ENDPOINTS:
        times = []
        for attempt in range(REPEAT + 2):
            started = time.perf_counter()
            response = client.get(f"/api/analytics/{endpoint}", headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (endpoint, response.get_data(as_text=True))
            if attempt >= 2:
                times.append(elapsed * 1000)
        medians.append(statistics.median(times))
    return {"ms": medians, "peak_rss_mb": _peak_rss_mb()}


def measure_naive(url: str) -> dict[str, Any]:
    """Every ticket (and reply) loaded into pandas, then each figure computed there."""
    engine = create_db_engine(url)
    started = time.perf_counter()
    with engine.connect() as connection:
        tickets = pd.read_sql(
            text("SELECT id, category, status, opened_at, resolved_at, closed_at FROM tickets"),
            connection,
        )
        replies = pd.read_sql(
            text(
                "SELECT c.ticket_id, min(c.created_at) AS first FROM comments c "
                "JOIN users u ON u.id = c.author_id WHERE NOT c.internal "
                "AND u.role IN ('agent', 'admin') GROUP BY c.ticket_id"
            ),
            connection,
        )
    for column in ("opened_at", "resolved_at", "closed_at"):
        tickets[column] = pd.to_datetime(tickets[column], utc=True, format="ISO8601")
    replies["first"] = pd.to_datetime(replies["first"], utc=True, format="ISO8601")
    load_ms = (time.perf_counter() - started) * 1000
    done = tickets["status"].isin(["resolved", "closed"])
    tickets["done_at"] = tickets["resolved_at"].fillna(tickets["closed_at"]).where(done)
    tickets["hours"] = (tickets["done_at"] - tickets["opened_at"]).dt.total_seconds() / 3600
    active = tickets["status"].isin(["open", "in_progress", "waiting"])
    resolved = tickets.dropna(subset=["done_at"])
    figures: dict[str, Callable[[], Any]] = {
        "ticket_counts": lambda: (
            (tickets["opened_at"] >= pd.Timestamp(NOW.replace(day=1, hour=0, minute=0))) & active
        ).sum(),
        "counts_by_category": lambda: tickets["category"].value_counts().to_dict(),
        "active_by_category": lambda: tickets[active]["category"].value_counts().to_dict(),
        "resolution_times": lambda: resolved.sort_values("done_at", ascending=False).head(25),
        "resolution_times/summary": lambda: resolved.groupby("category")["hours"].describe(
            percentiles=[0.5, 0.9]
        ),
        "resolution_time_by_month": lambda: resolved.groupby(
            resolved["done_at"].dt.strftime("%Y-%m")
        )["hours"].mean(),
        "ticket_volume": lambda: _naive_volume(tickets),
        "first_response": lambda: _naive_first_response(tickets, replies),
    }
    compute_ms = {name: seconds(figure) * 1000 for name, figure in figures.items()}
    engine.dispose()
    return {"load_ms": load_ms, "compute_ms": compute_ms, "peak_rss_mb": _peak_rss_mb()}


def _naive_volume(tickets: pd.DataFrame) -> pd.DataFrame:
    months = pd.period_range(end=pd.Timestamp(NOW.replace(tzinfo=None)), periods=12, freq="M")
    opened = tickets["opened_at"].dt.tz_localize(None).dt.to_period("M").value_counts()
    closed = tickets["done_at"].dt.tz_localize(None).dt.to_period("M").value_counts()
    frame = pd.DataFrame({"opened": opened, "closed": closed}).fillna(0).sort_index()
    frame["backlog"] = (frame["opened"] - frame["closed"]).cumsum()
    return frame.reindex(months)


def _naive_first_response(tickets: pd.DataFrame, replies: pd.DataFrame) -> pd.DataFrame:
    joined = replies.merge(tickets[["id", "opened_at"]], left_on="ticket_id", right_on="id")
    joined["hours"] = (joined["first"] - joined["opened_at"]).dt.total_seconds() / 3600
    month = joined["first"].dt.strftime("%Y-%m")
    return joined.groupby(month)["hours"].quantile([0.5, 0.9])


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across
    exec from the parent that spawned it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def in_subprocess(kind: str, url: str, token: str = "") -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--url", url, "--token", token],
        check=False,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        sys.exit(f"measuring {kind} failed:\n{completed.stderr}")
    output = completed.stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


# --- the run --------------------------------------------------------------------------------


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def run_imports(sizes: list[int], backends: list[str], repeat: int) -> None:
    """Only the generator and the import, each import into a fresh database with the
    command line's settings (SQLite synchronous=FULL), `repeat` times per backend."""
    print("| backend | tickets | generate CSV (s) | import (s) | load average (1 min) |")
    print("|---|---|---|---|---|")
    for size in sizes:
        csv_path = DATA / f"tickets-{size}.csv"
        generate_s = write_csv(size, csv_path)
        data = csv_path.read_bytes()
        for backend in backends:
            for _ in range(repeat):
                with fresh_database(backend) as url:
                    migrate.upgrade(url)
                    database = open_database(url)
                    started = time.perf_counter()
                    with database.session(write=True) as session, session.begin():
                        import_tickets(session, data=data, source=csv_path.name)
                    import_s = time.perf_counter() - started  # with the commit
                    database.dispose()
                print(
                    f"| {backend} | {size:,} | {generate_s:.1f} | {import_s:.1f} "
                    f"| {os.getloadavg()[0]:.1f} |",
                    flush=True,
                )
        csv_path.unlink()


def run(sizes: list[int], only: str | None) -> None:
    backends = ["sqlite", *(["postgresql"] if postgres_reachable() else [])]
    backends = [backend for backend in backends if only in (None, backend)]
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for size in sizes:
        csv_path = DATA / f"tickets-{size}.csv"
        generate_s = write_csv(size, csv_path)
        print(f"generated {size:,} tickets as CSV in {generate_s:.1f} s", flush=True)
        for backend in backends:
            with fresh_database(backend) as url:
                loaded = load(url, csv_path)
                print(
                    f"{backend} {size:,}: import {loaded['import_s']:.1f} s, "
                    f"replies {loaded['replies_s']:.1f} s",
                    flush=True,
                )
                endpoints = in_subprocess("endpoints", url, loaded["token"])
                naive = in_subprocess("naive", url)
                results[(backend, size)] = {
                    "generate_s": generate_s,
                    **loaded,
                    "endpoints": endpoints,
                    "naive": naive,
                }
        csv_path.unlink()
    report(results, sizes, backends)


def _naive_ms(naive: dict[str, Any], endpoint: str) -> float:
    name = endpoint.split("?")[0]
    return float(naive["load_ms"] + naive["compute_ms"].get(name, 0.0))


def report(
    results: dict[tuple[str, int], dict[str, Any]], sizes: list[int], backends: list[str]
) -> None:
    columns = [(backend, size) for backend in backends for size in sizes]
    print("\n### Endpoint medians (ms), and the naive way at the largest size\n")
    head = " | ".join(f"{backend} {size:,}" for backend, size in columns)
    naive_head = " | ".join(f"naive {backend} {sizes[-1]:,} (ratio)" for backend in backends)
    print(f"| endpoint | {head} | {naive_head} |")
    print("|---" * (1 + len(columns) + len(backends)) + "|")
    for number, endpoint in enumerate(ENDPOINTS):
        cells = [f"{results[key]['endpoints']['ms'][number]:.1f}" for key in columns]
        for backend in backends:
            result = results[(backend, sizes[-1])]
            naive = _naive_ms(result["naive"], endpoint)
            ratio = naive / result["endpoints"]["ms"][number]
            cells.append(f"{naive:,.0f} ({ratio:,.0f}x)")
        print(f"| `{endpoint}` | " + " | ".join(cells) + " |")
    print("\n### Data, import and memory\n")
    print(
        "| backend | tickets | generate CSV (s) | import (s) | worker peak RSS (MB) "
        "| naive peak RSS (MB) | naive load (ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    for backend, size in columns:
        result = results[(backend, size)]
        print(
            f"| {backend} | {size:,} | {result['generate_s']:.1f} | {result['import_s']:.1f} "
            f"| {result['endpoints']['peak_rss_mb']:.0f} | {result['naive']['peak_rss_mb']:.0f} "
            f"| {result['naive']['load_ms']:,.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--measure", choices=["endpoints", "naive"])
    parser.add_argument("--url")
    parser.add_argument("--token", default="")
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], help="only this one")
    parser.add_argument(
        "--import-only",
        type=int,
        metavar="N",
        default=0,
        help="time only the generator and N imports per backend (the commit included)",
    )
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    if args.import_only:
        backends = ["sqlite", *(["postgresql"] if postgres_reachable() else [])]
        backends = [backend for backend in backends if args.backend in (None, backend)]
        run_imports([int(size) for size in args.sizes.split(",")], backends, args.import_only)
    elif args.measure == "endpoints":
        print(json.dumps(measure_endpoints(args.url, args.token)))
    elif args.measure == "naive":
        print(json.dumps(measure_naive(args.url)))
    else:
        run([int(size) for size in args.sizes.split(",")], args.backend)


if __name__ == "__main__":
    main()
