"""The one call site that pushes a customer change to the routers at once, after its commit.

It calls ``api.runtime.Runtime.enforce_now`` (the post-commit seam; ``ispnoc serve`` wires the
MikroTik pusher into it) before the browser is redirected, then reads back what the router now has,
so the flash message says whether the change is on the router or waits for the next suspension run.
"""

from __future__ import annotations

from collections.abc import Sequence

from api.runtime import Runtime
from api.web.queries_customers import router_outcome
from store.db import session_scope

LATER = "The routers get it at the next suspension run."


def push_to_routers(runtime: Runtime, customer_ids: Sequence[int]) -> str:
    """Apply the committed change on the routers now; a note on the outcome for the flash message."""
    if runtime.pusher is None:
        return LATER
    runtime.enforce_now(customer_ids)
    with session_scope(runtime.sessions) as session:
        outcomes = [router_outcome(session, cid) for cid in customer_ids]
    failed = [error for applied, error in outcomes if not applied]
    if not failed:
        return "Applied on the router."
    return f"Not on the router yet ({failed[0] or 'no answer'}); the next suspension run retries."
