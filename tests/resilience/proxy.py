"""A TCP proxy on 127.0.0.1 that a test can take down and bring back: a database outage
without touching the shared PostgreSQL server."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any

from sqlalchemy.engine import make_url

from tests.resilience.server import free_port


class TcpProxy:
    """Forwards 127.0.0.1:`port` to the target. `down()` stops listening (connection refused)
    and resets every open connection, as a crashed or restarting server does."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.port = free_port()
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        self.up()

    def up(self) -> None:
        self._run(self._listen())

    def down(self) -> None:
        self._run(self._drop_everything())

    def close(self) -> None:
        self.down()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, reuse_address=True
            )

    async def _drop_everything(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _handle(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server = await asyncio.open_connection(*self._target)
        except OSError:
            client.transport.abort()
            return
        if self._server is None:  # taken down while this connection was being made
            client.transport.abort()
            server.transport.abort()
            return
        self._open.update((client, server))
        await asyncio.gather(self._pipe(client_reader, server), self._pipe(server_reader, client))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._open.discard(writer)


class ProxiedPostgres:
    """A PostgreSQL database reached through a `TcpProxy`: `url` goes through it."""

    def __init__(self, database_url: str) -> None:
        real = make_url(database_url)
        self._proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        self._proxy.start()
        self.url = real.set(host="127.0.0.1", port=self._proxy.port).render_as_string(False)

    def down(self) -> None:
        self._proxy.down()

    def up(self) -> None:
        self._proxy.up()

    def close(self) -> None:
        self._proxy.close()
