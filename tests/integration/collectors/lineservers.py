"""Plain TCP servers on 127.0.0.1 for the cycle tests: each answers a line, stalls forever, or errors,
and they count how many connections are open at once across the whole set."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Endpoint:
    """One listening device: what it does with the next request (``answer``, ``stall``, ``error``,
    ``garbage``), how many values it reports, and how long it thinks first."""

    port: int = 0
    mode: str = "answer"
    values: int = 3
    delay_s: float = 0.0
    secret: str = ""


@dataclass
class LineServers:
    """The running set and the peak number of connections open at the same time."""

    endpoints: list[Endpoint] = field(default_factory=list)
    open_now: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _enter(self) -> None:
        with self.lock:
            self.open_now += 1
            self.peak = max(self.peak, self.open_now)

    def _leave(self) -> None:
        with self.lock:
            self.open_now -= 1

    async def handle(self, ep: Endpoint, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer one request line as the endpoint's mode says."""
        self._enter()
        try:
            await reader.readline()
            if ep.delay_s:
                await asyncio.sleep(ep.delay_s)
            if ep.mode == "stall":
                await asyncio.Event().wait()
            reply = {"answer": f"OK {ep.values}", "error": f"ERR community {ep.secret} rejected",
                     "garbage": "OK many"}[ep.mode]
            writer.write(reply.encode() + b"\n")
            await writer.drain()
        finally:  # no await here: a handler closed at shutdown must not suspend in its finally
            self._leave()
            writer.close()


@contextmanager
def serve_lines(count: int) -> Iterator[LineServers]:
    """``count`` endpoints on ephemeral ports, served from a background loop until the block ends."""
    servers = LineServers([Endpoint() for _ in range(count)])
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="line-servers", daemon=True)
    thread.start()
    listening: list[asyncio.Server] = []

    async def open_all() -> None:
        for ep in servers.endpoints:
            server = await asyncio.start_server(functools.partial(servers.handle, ep), "127.0.0.1", 0)
            ep.port = server.sockets[0].getsockname()[1]
            listening.append(server)

    async def close_all() -> None:
        for server in listening:
            server.close()
        while tasks := [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]:
            for task in tasks:  # until none is left (a connection accepted meanwhile has one more)
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for server in listening:
            await server.wait_closed()

    asyncio.run_coroutine_threadsafe(open_all(), loop).result(timeout=10)
    try:
        yield servers
    finally:
        asyncio.run_coroutine_threadsafe(close_all(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
