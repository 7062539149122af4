"""The one call site that pushes a customer change to the routers at once, after its commit.

``api.runtime.Runtime.enforce_now(customer_ids)`` is the post-commit seam: when the runtime has it,
the change reaches the router before the page reloads; without it the change waits for the next
suspension run (the store's desired state is already set), and the page says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from api.runtime import Runtime

log = logging.getLogger(__name__)


def _seam(runtime: Runtime) -> Callable[[Sequence[int]], Any] | None:
    seam = getattr(runtime, "enforce_now", None)
    return seam if callable(seam) else None


def push_to_routers(runtime: Runtime, customer_ids: Sequence[int]) -> str:
    """Apply the committed change on the routers now; a note for the flash message."""
    seam = _seam(runtime)
    if seam is None:
        return "The routers get it at the next suspension run."
    try:
        seam(list(customer_ids))
    except Exception:
        log.exception("pushing customers %s to their routers failed", list(customer_ids))
        return "Pushing it to the router failed; the next suspension run retries."
    return "Pushed to the router."
