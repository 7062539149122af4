"""A UDP relay in front of snmpsim that delays each request by its device's ``latency_s``.

snmpsim's own ``delay`` variation module sleeps inside its single-threaded loop, once per
var-bind, so one slow device would stall every device of the process. The relay instead holds
the datagram in an asyncio timer, keyed by the community (= device name), and leaves the others
alone. It runs its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import cast

from device_fixtures.snmp.wire import community_of

MAX_CLIENTS = 512


class _Upstream(asyncio.DatagramProtocol):
    """The relay's socket towards snmpsim for one client address; replies go back to it."""

    def __init__(self, relay: LatencyRelay, client: tuple[str, int]) -> None:
        self.relay = relay
        self.client = client

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.reply(data, self.client)


class LatencyRelay(asyncio.DatagramProtocol):
    """Listens on ``host:port`` and forwards to ``upstream`` after ``latency_of(community)`` s."""

    def __init__(self, upstream: tuple[str, int], latency_of: Callable[[str], float]) -> None:
        self.upstream = upstream
        self.latency_of = latency_of
        self.loop = asyncio.new_event_loop()
        self.transport: asyncio.DatagramTransport | None = None
        self.clients: OrderedDict[tuple[str, int], asyncio.DatagramTransport] = OrderedDict()
        self._opening: dict[tuple[str, int], asyncio.Lock] = {}
        self._thread = threading.Thread(target=self.loop.run_forever, name="snmp-relay", daemon=True)

    def start(self, host: str, port: int) -> int:
        """Bind, start the loop thread, return the bound port."""
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            self.loop.create_datagram_endpoint(lambda: self, local_addr=(host, port)), self.loop
        )
        transport, _ = future.result(timeout=5)
        return int(transport.get_extra_info("sockname")[1])

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        community = community_of(data)
        delay = self.latency_of(community) if community is not None else 0.0
        if delay > 0:
            self.loop.call_later(delay, self._spawn_forward, data, addr)
        else:
            self._spawn_forward(data, addr)

    def _spawn_forward(self, data: bytes, addr: tuple[str, int]) -> None:
        self.loop.create_task(self._forward(data, addr))

    async def _forward(self, data: bytes, addr: tuple[str, int]) -> None:
        (await self._upstream_of(addr)).sendto(data)

    async def _upstream_of(self, addr: tuple[str, int]) -> asyncio.DatagramTransport:
        """The client's socket towards snmpsim, opened once even when its requests arrive together
        (a client walking several subtrees at once would otherwise open one per request, leaking all
        but the last)."""
        async with self._opening.setdefault(addr, asyncio.Lock()):
            upstream = self.clients.get(addr)
            if upstream is None or upstream.is_closing():
                upstream, _ = await self.loop.create_datagram_endpoint(
                    lambda: _Upstream(self, addr), remote_addr=self.upstream
                )
                self.clients[addr] = upstream
                while len(self.clients) > MAX_CLIENTS:
                    old, transport = self.clients.popitem(last=False)
                    self._opening.pop(old, None)
                    transport.close()
            self.clients.move_to_end(addr)
            return upstream

    def reply(self, data: bytes, client: tuple[str, int]) -> None:
        """Send snmpsim's answer back to the client that asked."""
        if self.transport is not None:
            self.transport.sendto(data, client)

    def stop(self) -> None:
        """Close every socket and end the loop thread."""
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()

    async def _close(self) -> None:
        for upstream in self.clients.values():
            upstream.close()
        if self.transport is not None:
            self.transport.close()
        for _ in range(3):  # let connection_lost run, so no transport is left "closing"
            await asyncio.sleep(0)
