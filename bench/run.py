"""`make bench`: the app under gunicorn as in production, driven over loopback.

For each backend (SQLite; PostgreSQL when reachable) and each size, it loads a help desk of
that many tickets into a fresh database, starts the server (`bench/serve.py`: what
`ticketdesk serve` runs, plus the framework-ceiling endpoint), and drives every endpoint
from `clients` keep-alive connections for `seconds`, signed in with an agent's API token.
Each endpoint runs in `rounds` slices, each right after a slice of the framework ceiling on
the same server, and its throughput is reported as a ratio to those ceiling slices taken
together: neighbours see the same machine, so other work on it moves both. Each pair's own
ratio is reported too, lowest and highest, which shows how far the machine moved meanwhile.

With `--keep DIR` each desk is loaded once, into DIR (PostgreSQL: a database named after its
size), and reused by later runs with the same DIR: a million tickets take minutes to load,
which makes comparing two commits slow otherwise.

    python -m bench.run --tickets 10000,1000000 --seconds 10 --clients 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import requests
from sqlalchemy.engine import make_url

from bench import data, load
from bench.serve import BARE_READ_PATH, CEILING_PATH

POSTGRES_ADMIN_URL = os.environ.get(
    "TICKETDESK_BENCH_POSTGRES",
    os.environ.get("TICKETDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"),
)
RESULTS_DIR = Path(__file__).parent / "results"
NO_CACHE = {"Cache-Control": "no-cache"}


@dataclass
class Scenario:
    name: str
    make: load.RequestFactory
    auth: str | None = "agent"  # whose token signs the requests
    headers: dict[str, str] = field(default_factory=dict)


def _new_ticket(n: int) -> dict[str, str]:
    """The n-th ticket the benchmark opens, worded as the loaded desk's are; the same in
    every run."""
    title, description = data.ticket_text(random.Random(n), n)
    return {
        "title": title,
        "description": description,
        "category": data.CATEGORIES[n % len(data.CATEGORIES)],
    }


def _spread(n: int, size: int) -> int:
    """The n-th request's ticket id: spread over 1..size, the same in every run."""
    return (n * 2_654_435_761) % size + 1


def scenarios(tickets: int, analytics: list[str]) -> list[Scenario]:
    categories = data.CATEGORIES
    words = data.WORDS
    found = [
        Scenario("read a ticket", lambda n: ("GET", f"/api/tickets/{_spread(n, tickets)}", None)),
        Scenario(
            "bare read (no auth, no API shape)",
            lambda n: ("GET", f"{BARE_READ_PATH}/{_spread(n, tickets)}", None),
            auth=None,
        ),
        Scenario(
            "list a filtered page",
            lambda n: (
                "GET",
                f"/api/tickets?status=open,in_progress&category={quote(categories[n % 12])}",
                None,
            ),
        ),
        Scenario(
            "list own tickets (requester)",
            lambda n: ("GET", "/api/tickets?per_page=25", None),
            auth="requester",
        ),
        Scenario("search", lambda n: ("GET", f"/api/tickets?q={words[n % len(words)]}", None)),
        Scenario(
            "search own tickets (requester)",
            lambda n: ("GET", f"/api/tickets?q={words[n % len(words)]}", None),
            auth="requester",
        ),
        Scenario("create a ticket", lambda n: ("POST", "/api/tickets", _new_ticket(n))),
        Scenario(
            "add a comment",
            lambda n: (
                "POST",
                f"/api/tickets/{_spread(n, tickets)}/comments",
                {"content": f"Any news on this? ({n})"},
            ),
        ),
    ]
    found += [Scenario(f"analytics {path}", _fixed("GET", path)) for path in analytics]
    # The same figures computed at every request, as after each change to what they read:
    # the plain rows above are answered from the memo once each worker has computed them.
    found += [
        Scenario(f"analytics {path} (computed)", _fixed("GET", path), headers=NO_CACHE)
        for path in analytics
    ]
    return found


def _fixed(method: str, path: str) -> load.RequestFactory:
    return lambda _n: (method, path, None)


def analytics_paths(base: str) -> list[str]:
    """Every analytics GET that needs no parameter, as the running app documents it."""
    document = requests.get(f"{base}/api/openapi.json", timeout=10).json()
    paths = []
    for path, operations in sorted(document["paths"].items()):
        get = operations.get("get")
        if not path.startswith("/api/analytics/") or get is None or "{" in path:
            continue
        if any(p.get("required") for p in get.get("parameters", [])):
            continue
        paths.append(path)
    return paths


class BenchServer:
    def __init__(self, database_url: str, workdir: Path, workers: int, threads: int) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TICKETDESK_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "TICKETDESK_INSTANCE": str(workdir),
        }
        command = [sys.executable, "-m", "bench.serve", "--port", str(self.port)]
        command += ["--workers", str(workers), "--threads", str(threads)]
        self._log = (workdir / "server.log").open("ab")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base}/api/health", timeout=5).ok:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the server did not start; see {workdir / 'server.log'}")

    def cpu_seconds(self) -> float:
        """CPU used so far by the gunicorn master and its workers (Linux /proc)."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in [str(master), *children]:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"ticketdesk_bench_{uuid.uuid4().hex[:10]}"
    _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_url(name: str) -> str:
    """The admin URL with database `name`, keeping its host, whether a name or a socket
    directory given as `?host=/var/run/postgresql`."""
    admin = make_url(POSTGRES_ADMIN_URL)
    return admin.set(database=name).render_as_string(hide_password=False)


def _postgres_admin(statement: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(statement)


def postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _row(result: load.Result, ceiling: float | None, pair_ratios: list[float]) -> dict[str, Any]:
    cpu = result.server_cpu_ms_per_request
    return {
        "server_cpu_ms_per_request": round(cpu, 2) if cpu is not None else None,
        "endpoint": result.name,
        "requests": result.requests,
        "rps": round(result.rps, 1),
        "p50_ms": round(result.p50, 2),
        "p99_ms": round(result.p99, 2),
        "ratio": round(result.rps / ceiling, 3) if ceiling else None,
        # The lowest and highest of each slice's ratio to the ceiling slice just before it;
        # None, as the ratio, when no ceiling slice served anything.
        "pair_ratios": (
            [round(min(pair_ratios), 3), round(max(pair_ratios), 3)] if pair_ratios else None
        ),
        "errors": result.errors,
        "statuses": dict(result.statuses),
        "client_cpu_s": round(result.client_cpu_s, 2),
    }


def bench_one(
    backend: str, tickets: int, args: argparse.Namespace, say: Callable[[str], None]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ticketdesk-bench-") as tmp:
        workdir = Path(tmp)
        with desk(backend, tickets, workdir, args.keep, say) as (url, credentials, load_seconds):
            server = BenchServer(url, workdir, args.workers, args.threads)
            try:
                return _drive(server, backend, tickets, credentials, args, say) | {
                    "load_seconds": load_seconds
                }
            finally:
                server.stop()


@contextlib.contextmanager
def desk(
    backend: str, tickets: int, workdir: Path, keep: Path | None, say: Callable[[str], None]
) -> Iterator[tuple[str, data.Credentials, float | None]]:
    """A loaded desk, its tokens, and how long it took to load (None if it was kept from an
    earlier run): loaded fresh and thrown away, or with `keep`, loaded there once and reused,
    with every run's writes added to it."""
    if keep is None:
        with database(backend, workdir) as url:
            yield url, *_load(url, backend, tickets, say)
        return
    keep.mkdir(parents=True, exist_ok=True)
    tokens = keep / f"{backend}-{tickets}.json"
    sqlite_path = keep.resolve() / f"sqlite-{tickets}.sqlite3"
    postgres_name = f"ticketdesk_bench_kept_{tickets}"
    url = f"sqlite:///{sqlite_path}" if backend == "sqlite" else _postgres_url(postgres_name)
    if tokens.exists():
        say(f"{backend}: reusing the {tickets:,}-ticket desk kept in {keep}")
        yield url, data.Credentials(**json.loads(tokens.read_text())), None
        return
    # Whatever an interrupted load left goes first.
    if backend == "postgresql":
        _postgres_admin(f'DROP DATABASE IF EXISTS "{postgres_name}" WITH (FORCE)')
        _postgres_admin(f'CREATE DATABASE "{postgres_name}"')
    else:
        for leftover in sqlite_path.parent.glob(f"{sqlite_path.name}*"):
            leftover.unlink()
    credentials, load_seconds = _load(url, backend, tickets, say)
    tokens.write_text(json.dumps(asdict(credentials)))
    yield url, credentials, load_seconds


def _load(
    url: str, backend: str, tickets: int, say: Callable[[str], None]
) -> tuple[data.Credentials, float]:
    started = time.monotonic()
    credentials = data.load(url, tickets=tickets)
    load_seconds = round(time.monotonic() - started, 1)
    say(f"{backend}: {tickets:,} tickets loaded in {load_seconds:.0f}s")
    return credentials, load_seconds


def _drive(
    server: BenchServer,
    backend: str,
    tickets: int,
    credentials: data.Credentials,
    args: argparse.Namespace,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Each scenario in `args.rounds` slices, each slice right after a slice of the ceiling,
    so that both see the same machine: the ratio is taken between neighbours."""
    tokens = {"agent": credentials.agent, "requester": credentials.requester}
    ceiling = Scenario("framework ceiling", _fixed("GET", CEILING_PATH), auth=None)
    slice_seconds = args.seconds / args.rounds

    def measure(scenario: Scenario) -> load.Result:
        headers = {"Authorization": f"Bearer {tokens[scenario.auth]}"} if scenario.auth else {}
        headers |= scenario.headers
        # Read once the warm-up is over: its requests are not counted, so neither is the
        # CPU they cost (counted, it raised 1 s slices' CPU a request by 7-42%).
        cpu_at_start: list[float] = []
        result = load.run(
            scenario.name,
            scenario.make,
            port=server.port,
            headers=headers,
            clients=args.clients,
            seconds=slice_seconds,
            warmup=0.3,
            on_measuring=lambda: cpu_at_start.append(server.cpu_seconds()),
        )
        result.server_cpu_s = server.cpu_seconds() - cpu_at_start[0]
        return result

    ceiling_slices: list[load.Result] = []
    rows = []
    for scenario in scenarios(tickets, analytics_paths(server.base)):
        if args.only and not any(part in scenario.name for part in args.only.split(",")):
            continue
        pairs = [(measure(ceiling), measure(scenario)) for _ in range(args.rounds)]
        near = load.Result.merge(ceiling.name, [c for c, _ in pairs])
        result = load.Result.merge(scenario.name, [r for _, r in pairs])
        ceiling_slices += [c for c, _ in pairs]
        say(
            f"  {result.name:<40} {result.rps:8.1f} req/s  p50 {result.p50:6.2f} ms  "
            f"p99 {result.p99:6.2f} ms  {result.rps / near.rps:5.0%} of {near.rps:6.0f}  "
            f"server CPU {result.server_cpu_ms_per_request:.2f} ms/req "
            f"(ceiling {near.server_cpu_ms_per_request:.2f})  errors {result.errors}"
        )
        rows.append(_row(result, near.rps, [r.rps / c.rps for c, r in pairs if c.rps]))
    overall = load.Result.merge(ceiling.name, ceiling_slices)
    say(
        f"  {overall.name:<40} {overall.rps:8.1f} req/s  p50 {overall.p50:6.2f} ms  "
        f"p99 {overall.p99:6.2f} ms"
    )
    spread = [c.rps for c in ceiling_slices]
    return {
        "backend": backend,
        "tickets": tickets,
        "ceiling_rps": round(overall.rps, 1),
        "ceiling_slice_range": [round(min(spread)), round(max(spread))],
        "rows": [_row(overall, overall.rps, [1.0]), *rows],
    }


def markdown(run: dict[str, Any]) -> str:
    loaded = (
        f"Data loaded in {run['load_seconds']:.0f} s."
        if run["load_seconds"] is not None
        else "Data kept from an earlier run (`--keep`)."
    )
    lines = [
        f"#### {run['backend']}, {run['tickets']:,} tickets",
        "",
        f"Ceiling {run['ceiling_rps']:,.0f} req/s over all its slices (slices ranged "
        f"{run['ceiling_slice_range'][0]:,}-{run['ceiling_slice_range'][1]:,}). {loaded}",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | ratio to ceiling | slice pairs' ratios "
        "| server CPU ms/req | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in run["rows"]:
        low, high = row["pair_ratios"]
        lines.append(
            f"| {row['endpoint']} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {row['ratio']:.0%} | {low:.0%}-{high:.0%} | "
            f"{row['server_cpu_ms_per_request']} | {row['errors']} |"
        )
    return "\n".join(lines) + "\n"


# Settings the servers read from the environment that change what is measured; the others
# (secrets, database addresses) the benchmark sets itself.
MEASURED_SETTINGS = ("SQLITE_SYNCHRONOUS", "SQLITE_BUSY_TIMEOUT_MS", "DB_POOL_SIZE")


def _server_environment() -> dict[str, str]:
    """What of `MEASURED_SETTINGS` the servers inherited, so a result says how it was run."""
    return {name: os.environ[name] for name in MEASURED_SETTINGS if name in os.environ}


def _commit() -> str | None:
    """The checkout measured: its commit, marked when files differ from it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head} with uncommitted changes" if changed else head


def _git(*args: str) -> str:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", default="10000,1000000", help="comma-separated sizes")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5, help="slices per endpoint")
    parser.add_argument("--only", default="", help="comma-separated parts of endpoint names")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--results", type=Path, default=RESULTS_DIR, help="where the raw results go (JSON)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="load each desk into this directory (PostgreSQL: a database named after its "
        "size) once, and reuse it in later runs; each run's writes are added to it",
    )
    args = parser.parse_args()
    # Stopped from outside: unwind, so the server is stopped and the database dropped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    backends = args.backends.split(",")
    if "postgresql" in backends and not postgres_reachable():
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: skipping it")
        backends.remove("postgresql")
    runs = []
    for size in (int(value) for value in args.tickets.split(",")):
        for backend in backends:
            runs.append(bench_one(backend, size, args, lambda line: print(line, flush=True)))
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = {
        "when": stamp,
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "settings": {
            name: str(value) if isinstance(value, Path) else value
            for name, value in vars(args).items()
        },
        "commit": _commit(),
        "server_environment": _server_environment(),
        "runs": runs,
    }
    out = args.results / f"http-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print()
    for run in runs:
        print(markdown(run))
    print(f"raw results: {out}")


if __name__ == "__main__":
    main()
