"""`make bench` at 10,000 tickets, run whole as the command runs it: a desk loaded into a
fresh database, the app under gunicorn, every endpoint driven over loopback beside the
framework ceiling, and the report written.

Only the benchmark's working is checked here, never its speed: the figures of a run this
short on a shared machine say nothing (bench/RESULTS.md holds the measured ones). What is
checked is what would make a real run's figures wrong: an endpoint that errs (a rate of
400s or 500s measured as if it were an answer), one left out, a ratio or percentile that is
not there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent
TICKETS = 10_000
# Every endpoint the issue names, besides the analytics (found from the OpenAPI document).
NAMED = (
    "read a ticket",
    "bare read (no auth, no API shape)",
    "list a filtered page",
    "list own tickets (requester)",
    "search",
    "search own tickets (requester)",
    "create a ticket",
    "add a comment",
)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_benchmark_drives_every_endpoint_without_an_error(backend: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.run", "--tickets", str(TICKETS)]
    command += ["--backends", backend, "--seconds", "0.3", "--rounds", "1"]
    command += ["--results", str(tmp_path)]
    env = {**os.environ, "TICKETDESK_BENCH_POSTGRES": POSTGRES_ADMIN_URL}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr

    (report_file,) = tmp_path.glob("http-*.json")
    report = json.loads(report_file.read_text())
    (run,) = report["runs"]
    assert (run["backend"], run["tickets"]) == (backend, TICKETS)
    assert run["load_seconds"] > 0  # loaded afresh, not kept
    low, high = run["ceiling_slice_range"]
    assert 0 < low <= high

    rows = {row["endpoint"]: row for row in run["rows"]}
    assert len(rows) == len(run["rows"]), "an endpoint measured twice"
    analytics = [name for name in rows if name.startswith("analytics ")]
    computed = [name for name in analytics if name.endswith(" (computed)")]
    assert computed, "no analytics endpoint was driven"
    assert len(analytics) == 2 * len(computed)  # each served from the memo and computed
    assert set(rows) == {"framework ceiling", *NAMED, *analytics}
    for name, row in rows.items():
        _assert_measured(name, row)
    assert rows["framework ceiling"]["ratio"] == 1.0
    # The table written for bench/RESULTS.md has a line for each endpoint.
    for name in rows:
        assert f"| {name} |" in done.stdout


def _assert_measured(name: str, row: dict[str, Any]) -> None:
    statuses = {int(status) for status in row["statuses"]}
    created = name in ("create a ticket", "add a comment")
    assert statuses == ({201} if created else {200}), (name, row["statuses"])
    assert row["errors"] == 0, name
    assert row["requests"] > 0 and row["rps"] > 0, name
    assert 0 < row["p50_ms"] <= row["p99_ms"], name
    assert row["ratio"] > 0, name
    low, high = row["pair_ratios"]
    assert 0 < low <= high, name
    assert row["server_cpu_ms_per_request"] > 0, name
