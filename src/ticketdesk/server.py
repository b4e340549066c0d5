"""gunicorn, run from code: each worker builds its own app (and connection pool)."""

from __future__ import annotations

import gc
import socket
import time
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from ticketdesk import sqlite_search
from ticketdesk.db import sqlite_file
from ticketdesk.settings import Settings

# How long `serve` waits for a port in use to come free before giving up.
BIND_WAIT_S = 5.0


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(
        self,
        settings: Settings,
        services: Sequence[str],
        options: dict[str, Any],
        extend: Callable[[Flask], None] | None,
    ):
        self._settings = settings
        self._services = services
        self._options = options
        self._extend = extend
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from ticketdesk.app import create_app

        app = create_app(self._settings, services=self._services)
        database_path = sqlite_file(self._settings.database_url)
        if database_path is not None and "tickets" in self._services:
            # Started here, in the worker: a thread does not survive gunicorn's fork.
            sqlite_search.Indexer(database_path).start()
        if self._extend is not None:
            self._extend(app)
        # Everything built so far lives as long as the worker: keep the garbage collector
        # from walking it again at every collection (a visible share of each request).
        gc.collect()
        gc.freeze()
        return app


def run(
    settings: Settings,
    *,
    services: Sequence[str],
    bind: str,
    workers: int,
    threads: int,
    extend: Callable[[Flask], None] | None = None,
) -> None:
    """Serve until stopped. `extend` may add to each worker's app (the benchmark's ceiling
    endpoint); production passes nothing."""
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        # Each worker listens on a socket of its own and the kernel spreads new connections
        # over them. On the one shared socket, whichever worker woke first took a burst of
        # connections, and kept-alive clients then stayed on it: all eight benchmark clients
        # often sat on one worker, whose threads fought over one GIL while the other
        # worker idled (see bench/RESULTS.md, session 5).
        "reuse_port": True,
        "limit_request_line": 8190,
        # gunicorn 27 opens a control socket at one fixed path per user; several servers on
        # one machine (split services, tests, benchmarks) would fight over it.
        "control_socket_disable": True,
    }
    refuse_taken_address(bind)
    _Server(settings, services, options, extend).run()


def refuse_taken_address(bind: str, *, wait_s: float = BIND_WAIT_S) -> None:
    """Exit if something still listens on `bind` ("host:port") after `wait_s`.

    Sockets that all set SO_REUSEPORT share a port, so a second server started on a taken
    port would quietly take half of its connections rather than fail; a plain bind fails.
    The wait lets the workers of a server that was just stopped or killed finish exiting,
    as gunicorn's own retries of a failed bind did.
    """
    host, _, port = bind.rpartition(":")
    family, kind, protocol, _name, address = socket.getaddrinfo(
        host.strip("[]"), int(port), type=socket.SOCK_STREAM
    )[0]
    deadline = time.monotonic() + wait_s
    while True:
        with socket.socket(family, kind, protocol) as probe:
            # Connections left in TIME_WAIT by a server that just stopped do not count.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
                return
            except OSError as error:
                if time.monotonic() >= deadline:
                    raise SystemExit(f"cannot serve on {bind}: {error.strerror}") from error
        time.sleep(0.1)
