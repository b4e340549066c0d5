"""`ticketdesk serve` as a child process that tests can start, kill -9 and restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServeProcess:
    """gunicorn, as production runs it, in its own process group (master and workers)."""

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        *,
        workers: int = 2,
        threads: int = 4,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._command = [
            sys.executable,
            "-m",
            "ticketdesk",
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ]
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TICKETDESK_ENV": "test",
            "TICKETDESK_INSTANCE": str(workdir),
            **(env or {}),
        }
        self._log_path = workdir / "server.log"
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 30) -> None:
        """Start and wait until it answers HTTP (any status: the database may be down)."""
        self._log = self._log_path.open("ab")
        self.process = subprocess.Popen(
            self._command,
            env=self._env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.log()}")
            try:
                requests.get(f"{self.base}/api/health", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError(f"server did not answer within {timeout}s: {self.log()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: a crash, not a shutdown."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._close_log()

    def log(self) -> str:
        return self._log_path.read_text(errors="replace")[-4000:]

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
