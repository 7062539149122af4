"""A background asyncio loop for the simulated devices' servers: started with the coroutine that
opens their listeners, stopped with the one that closes them, every task left on it cancelled and
awaited, then the loop closed (so a test's ``filterwarnings = error`` never sees a leak)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from contextlib import suppress
from typing import Any

Opening = Coroutine[Any, Any, None]


class LoopThread:
    """One event loop running on a daemon thread until ``stop``."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)

    def start(self, opening: Opening, timeout: float) -> None:
        """Run the loop, then ``opening`` on it (waiting up to ``timeout`` seconds for it)."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(opening, self.loop).result(timeout=timeout)

    def stop(self, closing: Callable[[], Opening]) -> None:
        """Run ``closing()``, cancel whatever is left, stop and close the loop."""
        if self.loop.is_running():
            with suppress(Exception):
                asyncio.run_coroutine_threadsafe(_finish(closing), self.loop).result(timeout=10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10)
        self.loop.close()


async def _finish(closing: Callable[[], Opening]) -> None:
    await closing()
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    with suppress(Exception):
        await asyncio.gather(*tasks, return_exceptions=True)
