"""Generate N tickets of believable history as an import CSV, fast (vectorized with numpy).

    python bench/analytics_data.py --tickets 1000000 --out bench/data/tickets-1000000.csv

Two years of tickets ending now, in eight categories; resolution times log-normal (median
about a day); some tickets closed after being resolved, some closed without resolution, the
rest still open, in progress or waiting.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

CATEGORIES = np.array(
    ["billing", "login", "bug", "feature request", "account", "hardware", "network", "other"]
)
WEIGHTS = np.array([0.2, 0.18, 0.17, 0.1, 0.1, 0.1, 0.1, 0.05])
TITLES = np.array(["Charged twice", "Cannot log in", "Export fails", "Please add", "VPN drops"])
HOUR = np.timedelta64(3600, "s")


def _iso(moments: np.ndarray) -> np.ndarray:
    text = np.datetime_as_string(moments.astype("datetime64[s]"), unit="s", timezone="UTC")
    return np.where(np.isnat(moments), "", text)  # ...Z


def generate(tickets: int, *, days: int = 730, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    end = np.datetime64(datetime.now(UTC).replace(tzinfo=None, microsecond=0), "s")
    opened = end - rng.integers(0, days * 86400, tickets).astype("timedelta64[s]")
    hours = rng.lognormal(mean=np.log(24), sigma=1.3, size=tickets)
    done_at = opened + (hours * 3600).astype("timedelta64[s]")
    done = (done_at < end) & (rng.random(tickets) < 0.97)
    unresolved = done & (rng.random(tickets) < 0.1)
    closed_later = done_at + (rng.lognormal(np.log(48), 1.0, tickets) * 3600).astype(
        "timedelta64[s]"
    )
    closed_after = done & ~unresolved & (closed_later < end) & (rng.random(tickets) < 0.6)
    nat = np.datetime64("NaT", "s")
    resolved_at = np.where(done & ~unresolved, done_at, nat)
    closed_at = np.where(unresolved, done_at, np.where(closed_after, closed_later, nat))
    active = rng.choice(np.array(["open", "in_progress", "waiting"]), tickets, p=[0.5, 0.35, 0.15])
    status = np.where(unresolved | closed_after, "closed", np.where(done, "resolved", active))
    return pd.DataFrame(
        {
            "title": rng.choice(TITLES, tickets),
            "description": "Generated for the analytics benchmark.",
            "status": status,
            "category": rng.choice(CATEGORIES, tickets, p=WEIGHTS),
            "priority": rng.choice(np.array(["low", "normal", "high", "urgent"]), tickets),
            "opened_at": _iso(opened),
            "resolved_at": _iso(resolved_at),
            "closed_at": _iso(closed_at),
            "requester_email": np.char.add(
                np.char.add("user", rng.integers(0, 50_000, tickets).astype(str)), "@example.com"
            ),
        }
    )


def write_csv(tickets: int, path: Path, *, seed: int = 1) -> float:
    """Write the file; returns the seconds it took."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    generate(tickets, seed=seed).to_csv(path, index=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    seconds = write_csv(args.tickets, args.out, seed=args.seed)
    print(f"{args.tickets} tickets written to {args.out} in {seconds:.1f} s")


if __name__ == "__main__":
    main()
