"""Instructions a request costs the server, counted by callgrind in one process.

Over HTTP this machine's noise (another tenant's load, the CPU's clock) moves a ratio by
ten points between two runs of the same commit; an instruction count does not move. Each
scenario is run in the Flask test client on a SQLite desk (built once into `--desk`),
under `valgrind --tool=callgrind`, `--requests` requests after a
warm-up (`--warm-up` requests, which fill the caches a long-running worker has filled). The
process marks the start and the end of the measured requests by calling `getppid`, which
nothing else in it calls, and callgrind (`--dump-before=getppid`) writes what it counted
between the marks to a file of its own: that total divided by `--requests` is what one
request costs. A write scenario runs on a copy of the desk.

    python -m bench.instructions --desk /tmp/desk10k --tickets 10000 --requests 200

It measures the Python side of a request in the WSGI app (Werkzeug's test client stands in
for gunicorn's parsing and socket work): the part this project's code decides.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import load
from bench.run import scenarios

# The scenarios counted: the framework ceiling and bare read as references, then the API's.
CEILING = "ceiling"
SCENARIOS = (
    CEILING,
    "bare read (no auth, no API shape)",
    "read a ticket",
    "list a filtered page",
    "create a ticket",
    "add a comment",
)
WRITES = {"create a ticket", "add a comment"}
_TOTALS = re.compile(rb"^totals: (\d+)", re.MULTILINE)
_VALGRIND = re.compile(r"==\d+==")


def _inner(desk: Path, scenario: str, tickets: int, requests: int, warm_up: int) -> None:
    """Run in the measured process: `warm_up` requests of `scenario`, then `requests` more
    between two marks (see the module's docstring)."""
    from bench.serve import add_reference_endpoints
    from ticketdesk.app import create_app
    from ticketdesk.settings import Settings

    app = create_app(
        Settings(
            env="production",
            database_url=f"sqlite:///{desk / 'bench.sqlite3'}",
            secret_key="instructions-" * 4,
            instance_path=desk,
        )
    )
    add_reference_endpoints(app)
    token = (desk / "agent-token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}

    make = _requests_of(scenario, tickets)
    if make is None:
        raise SystemExit(f"unknown scenario {scenario!r}")
    client = app.test_client()

    def send(n: int) -> None:
        method, path, body = make(n)
        response = client.open(path, method=method, json=body, headers=headers)
        if response.status_code >= 400:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.data[:200]!r}")

    for n in range(warm_up):
        send(n)
    os.getppid()  # the mark: callgrind dumps what it counted so far
    for n in range(warm_up, warm_up + requests):
        send(n)
    os.getppid()


def _requests_of(scenario: str, tickets: int) -> load.RequestFactory | None:
    """The requests `scenario` sends: the framework ceiling's, a `bench.run` scenario's by its
    name, or for "analytics PATH" (as `bench.run` names them) a GET of PATH. None for any
    other name."""
    from bench.serve import CEILING_PATH

    if scenario == CEILING:
        return lambda _n: ("GET", CEILING_PATH, None)
    if scenario.startswith("analytics /"):
        path = scenario.removeprefix("analytics ")
        return lambda _n: ("GET", path, None)
    return next((found.make for found in scenarios(tickets, []) if found.name == scenario), None)


def _build(desk: Path, tickets: int) -> None:
    from bench import data

    desk.mkdir(parents=True)
    credentials = data.load(f"sqlite:///{desk / 'bench.sqlite3'}", tickets=tickets)
    (desk / "agent-token").write_text(credentials.agent)


def _count(desk: Path, scenario: str, tickets: int, requests: int, warm_up: int) -> int:
    """Instructions the `requests` measured requests of `scenario` cost in all."""
    with tempfile.TemporaryDirectory() as scratch:
        if scenario in WRITES:
            copy = Path(scratch) / "desk"
            shutil.copytree(desk, copy)
            desk = copy
        out = Path(scratch) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--dump-before=getppid"]
        command += [f"--callgrind-out-file={out}"]
        command += [sys.executable, "-m", "bench.instructions", "--inner", scenario]
        command += ["--desk", str(desk), "--tickets", str(tickets)]
        command += ["--requests", str(requests), "--warm-up", str(warm_up)]
        done = subprocess.run(command, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            # What the measured process said, without valgrind's own lines ("==pid== ...").
            said = [line for line in done.stderr.splitlines() if not _VALGRIND.match(line)]
            raise SystemExit(f"{scenario!r} failed under callgrind:\n" + "\n".join(said[-5:]))
        # callgrind.out.1: up to the first mark; .2: between the marks; no .3 unless
        # something else called getppid, which would make .2 a part of the requests only.
        if not out.with_suffix(".out.2").exists() or out.with_suffix(".out.3").exists():
            raise SystemExit(f"expected two marks in {scenario!r}'s process")
        found = _TOTALS.search(out.with_suffix(".out.2").read_bytes())
        if found is None:
            raise SystemExit("callgrind wrote no totals")
        return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--desk", type=Path, required=True)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=50)
    parser.add_argument(
        "--only",
        help="comma-separated scenario names; 'analytics PATH' counts a GET of an analytics PATH",
    )
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _inner(args.desk, args.inner, args.tickets, args.requests, args.warm_up)
        return
    chosen = args.only.split(",") if args.only else SCENARIOS
    unknown = [name for name in chosen if _requests_of(name, args.tickets) is None]
    if unknown:
        known = sorted([CEILING, *(found.name for found in scenarios(args.tickets, []))])
        raise SystemExit(
            f"unknown scenario {', '.join(map(repr, unknown))}: "
            f"one of {', '.join(known)}, or 'analytics PATH'"
        )
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (apt-get install -y valgrind)")
    if not args.desk.exists():
        _build(args.desk, args.tickets)
    for scenario in chosen:
        total = _count(args.desk, scenario, args.tickets, args.requests, args.warm_up)
        print(f"{scenario:40} {total / args.requests / 1e6:7.3f}M instructions/request", flush=True)


if __name__ == "__main__":
    main()
