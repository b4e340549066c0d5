"""`bench.instructions` refuses a scenario it does not know before it loads a desk or starts
valgrind: a mistyped name used to be sent as a request path, and failed minutes later as a
bare `CalledProcessError` with the measured process's own message thrown away."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_unknown_scenario_is_named_before_anything_runs(tmp_path: Path) -> None:
    desk = tmp_path / "desk"
    only = "read a ticket,framework ceiling"
    done = subprocess.run(
        [sys.executable, "-m", "bench.instructions", "--desk", str(desk), "--only", only],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    blamed, offered = done.stderr.split("one of", 1)
    assert blamed.strip() == "unknown scenario 'framework ceiling':"  # not the known one
    assert "ceiling," in offered  # the name it goes by
    assert not desk.exists()
