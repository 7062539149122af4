"""A UDP relay in front of snmpsim that delays each request by its device's ``latency_s`` and
spreads the fleet over several snmpsim processes: a community (= device) always goes to the same
process (CRC-32 of its name), so each process opens only its share of the data files.

snmpsim's own ``delay`` variation module sleeps inside its single-threaded loop, once per
var-bind, so one slow device would stall every device of the process. The relay instead holds
the datagram in an asyncio timer, keyed by the community (= device name), and leaves the others
alone. It runs its own event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import cast

from device_fixtures.snmp.wire import community_of

MAX_CLIENTS = 512
Route = tuple[tuple[str, int], int]
"""A client address and the index of the agent its community goes to."""


class _Upstream(asyncio.DatagramProtocol):
    """The relay's socket towards snmpsim for one client address; replies go back to it."""

    def __init__(self, relay: LatencyRelay, client: tuple[str, int]) -> None:
        self.relay = relay
        self.client = client

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.reply(data, self.client)


class LatencyRelay(asyncio.DatagramProtocol):
    """Listens on ``host:port`` and forwards to one of ``upstreams`` (by community) after
    ``latency_of(community)`` s."""

    def __init__(self, upstreams: Sequence[tuple[str, int]], latency_of: Callable[[str], float]) -> None:
        self.upstreams = list(upstreams)
        self.latency_of = latency_of
        self.loop = asyncio.new_event_loop()
        self.transport: asyncio.DatagramTransport | None = None
        self.clients: OrderedDict[Route, asyncio.DatagramTransport] = OrderedDict()
        self._opening: dict[Route, asyncio.Lock] = {}
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
        key = (addr, zlib.crc32((community or "").encode("latin-1")) % len(self.upstreams))
        if delay > 0:
            self.loop.call_later(delay, self._send, data, key)
        else:
            self._send(data, key)

    def _send(self, data: bytes, key: Route) -> None:
        """Forward on the client's open socket towards that agent at once, else open it first."""
        upstream = self.clients.get(key)
        if upstream is None or upstream.is_closing():
            self.loop.create_task(self._forward(data, key))
            return
        self.clients.move_to_end(key)
        upstream.sendto(data)

    async def _forward(self, data: bytes, key: Route) -> None:
        (await self._upstream_of(key)).sendto(data)

    async def _upstream_of(self, key: Route) -> asyncio.DatagramTransport:
        """The client's socket towards one agent, opened once even when its requests arrive together
        (a client walking several subtrees at once would otherwise open one per request, leaking all
        but the last)."""
        async with self._opening.setdefault(key, asyncio.Lock()):
            upstream = self.clients.get(key)
            if upstream is None or upstream.is_closing():
                addr, agent = key
                upstream, _ = await self.loop.create_datagram_endpoint(
                    lambda: _Upstream(self, addr), remote_addr=self.upstreams[agent]
                )
                self.clients[key] = upstream
                while len(self.clients) > MAX_CLIENTS:
                    old, transport = self.clients.popitem(last=False)
                    self._opening.pop(old, None)
                    transport.close()
            self.clients.move_to_end(key)
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
