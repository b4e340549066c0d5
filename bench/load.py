"""A small HTTP/1.1 load generator for loopback benchmarks: keep-alive connections, a fixed
number of concurrent clients, each sending its next request as soon as the last answer
arrived (closed loop), and every latency recorded.

It speaks just enough HTTP for a gunicorn + Flask server (Content-Length bodies, keep-alive)
and builds each request as bytes, so that one process can drive a 2-core server without
becoming the bottleneck; `Result.client_cpu_s` shows what it cost.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# A request as the generator sends it: method, path (with query) and an optional JSON body.
Request = tuple[str, str, Any]
RequestFactory = Callable[[int], Request]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)
    statuses: Counter[int]
    client_cpu_s: float
    # CPU the server's processes spent meanwhile, when the caller measured it.
    server_cpu_s: float | None = None

    @classmethod
    def merge(cls, name: str, parts: list[Result]) -> Result:
        """Several slices of the same scenario, as one measurement."""
        server = [p.server_cpu_s for p in parts]
        return cls(
            name=name,
            requests=sum(p.requests for p in parts),
            seconds=sum(p.seconds for p in parts),
            latencies_ms=[ms for p in parts for ms in p.latencies_ms],
            statuses=sum((p.statuses for p in parts), Counter()),
            client_cpu_s=sum(p.client_cpu_s for p in parts),
            server_cpu_s=None if None in server else sum(s or 0.0 for s in server),
        )

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s * 1000 / self.requests

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 400)


def _encode(request: Request, host: str, headers: dict[str, str]) -> bytes:
    method, path, body = request
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
            break
    if length:
        await reader.readexactly(length)
    return status


async def _client(
    host: str,
    port: int,
    make: RequestFactory,
    headers: dict[str, str],
    deadline: float,
    offset: int,
    stride: int,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    n = offset
    try:
        while time.perf_counter() < deadline:
            data = _encode(make(n), f"{host}:{port}", headers)
            started = time.perf_counter()
            writer.write(data)
            try:
                status = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                # The server closed a keep-alive connection: reconnect, count nothing.
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
            n += stride
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    make: RequestFactory,
    headers: dict[str, str],
    clients: int,
    seconds: float,
) -> tuple[list[float], Counter[int], float]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _client(host, port, make, headers, deadline, i, clients, latencies, statuses)
            for i in range(clients)
        )
    )
    return latencies, statuses, time.perf_counter() - started


def run(
    name: str,
    make: RequestFactory,
    *,
    port: int,
    headers: dict[str, str] | None = None,
    clients: int = 8,
    seconds: float = 10.0,
    warmup: float = 1.0,
    host: str = "127.0.0.1",
    on_measuring: Callable[[], None] | None = None,
) -> Result:
    """Drive `make(n)` requests at 127.0.0.1:`port` from `clients` connections, after
    `warmup` seconds of the same that are not counted; `on_measuring` is called as the
    counted requests begin (to read the server's CPU time from there)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback")
    headers = headers or {}
    if warmup:
        asyncio.run(_run(host, port, make, headers, clients, warmup))
    if on_measuring is not None:
        on_measuring()
    cpu_before = time.process_time()
    latencies, statuses, elapsed = asyncio.run(_run(host, port, make, headers, clients, seconds))
    return Result(
        name=name,
        requests=len(latencies),
        seconds=elapsed,
        latencies_ms=latencies,
        statuses=statuses,
        client_cpu_s=time.process_time() - cpu_before,
    )
