"""gunicorn, run from code: each worker builds its own app (and connection pool)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gunicorn.app.base import BaseApplication

from ticketdesk.settings import Settings


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings, services: Sequence[str], options: dict[str, Any]):
        self._settings = settings
        self._services = services
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from ticketdesk.app import create_app

        return create_app(self._settings, services=self._services)


def run(
    settings: Settings, *, services: Sequence[str], bind: str, workers: int, threads: int
) -> None:
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-",
        "limit_request_line": 8190,
        # gunicorn 27 opens a control socket at one fixed path per user; several servers on
        # one machine (split services, tests, benchmarks) would fight over it.
        "control_socket_disable": True,
    }
    _Server(settings, services, options).run()
