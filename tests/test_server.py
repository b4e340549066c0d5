"""Starting the server: a port another server holds is an error, not a share."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ticketdesk.server import refuse_taken_address


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another server listens on, with SO_REUSEPORT as ticketdesk's workers do."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_free_port_passes() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refuse_taken_address(f"127.0.0.1:{port}")


def test_a_taken_port_is_refused(taken_port: int) -> None:
    with pytest.raises(SystemExit, match=f"cannot serve on 127.0.0.1:{taken_port}: .*in use"):
        refuse_taken_address(f"127.0.0.1:{taken_port}", wait_s=0.3)


def test_a_port_that_comes_free_while_waiting_is_taken() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    threading.Timer(0.3, listener.close).start()  # a stopped server's last worker exiting
    refuse_taken_address(f"127.0.0.1:{port}", wait_s=5)


def test_serve_exits_instead_of_sharing_a_taken_port(taken_port: int, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never.sqlite3'}",
        "TICKETDESK_ENV": "test",
        "TICKETDESK_INSTANCE": str(tmp_path),
    }
    command = [sys.executable, "-m", "ticketdesk", "serve", "--port", str(taken_port)]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert f"cannot serve on 127.0.0.1:{taken_port}" in finished.stderr
