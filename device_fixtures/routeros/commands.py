"""Menu commands of a simulated router, without I/O: a request in, reply sentences out.

``print`` (``=.proplist=``, queries, ``=count-only=``; ``!empty`` on RouterOS 7.18+ when nothing
matches), ``add`` (``!done =ret=*ID``), ``set``, ``remove``, ``enable``, ``disable``, plus
``/system/identity/set`` and ``/system/resource/print`` on single-item menus. Errors are
``!trap`` (``=message=`` and ``=category=``) followed by ``!done``, as on the router.
"""

from __future__ import annotations

from collections.abc import Callable

from device_fixtures.routeros.menus import Menu, MenuError, Row, targets
from device_fixtures.routeros.query import QueryError, compile_query
from device_fixtures.routeros.state import RouterState
from device_fixtures.routeros.wire import Request, reply

EMPTY_SINCE = (7, 18)
REMOVABLE_READ_ONLY = frozenset({"/ppp/active", "/ip/hotspot/active"})
Handler = Callable[[RouterState, Menu, Request], list[bytes]]


def trap(message: str, category: int | None, tag: str | None) -> list[bytes]:
    """``!trap`` then ``!done``."""
    attrs = {"message": message} if category is None else {"category": str(category), "message": message}
    return [reply("!trap", attrs, tag), reply("!done", None, tag)]


def _project(row: Row, proplist: tuple[str, ...] | None, single: bool) -> dict[str, str]:
    if proplist is None:
        return {k: v for k, v in row.items() if k != ".id"} if single else row
    return {k: row[k] for k in proplist if k in row}


def _print(state: RouterState, menu: Menu, request: Request) -> list[bytes]:
    test = compile_query(request.queries)
    rows = [row for row in menu if test(row)]
    tag = request.tag
    if "count-only" in request.attributes:
        return [reply("!done", {"ret": str(len(rows))}, tag)]
    out = [reply("!re", _project(row, request.proplist, menu.spec.single), tag) for row in rows]
    if not rows and state.version_tuple >= EMPTY_SINCE:
        out.append(reply("!empty", None, tag))
    out.append(reply("!done", None, tag))
    return out


def _add(state: RouterState, menu: Menu, request: Request) -> list[bytes]:
    if menu.path == "/ip/firewall/address-list":
        values = dict(request.attributes)
        values.setdefault("creation-time", "")
        item = menu.add({k: v for k, v in values.items() if k != "creation-time"})
        menu.rows[item]["creation-time"] = _stamp(state)
        menu.rows[item]["dynamic"] = "true" if values.get("timeout") else "false"
    else:
        item = menu.add(request.attributes)
    return [reply("!done", {"ret": item}, request.tag)]


def _stamp(state: RouterState) -> str:
    from device_fixtures.routeros.state import log_time

    return log_time(state.clock, state.version_tuple)


def _set(state: RouterState, menu: Menu, request: Request) -> list[bytes]:
    if menu.spec.single:
        if not menu.spec.writable:
            raise MenuError("no such command", 0)
        row = next(iter(menu))
        row.update(menu.normalise(request.attributes, adding=False))
        return [reply("!done", None, request.tag)]
    if not menu.spec.writable:
        raise MenuError("no such command", 0)
    values = {k: v for k, v in request.attributes.items() if k not in (".id", "numbers")}
    for ref in targets(request.attributes):
        menu.update(ref, values)
    return [reply("!done", None, request.tag)]


def _toggle(disabled: str) -> Handler:
    def handler(state: RouterState, menu: Menu, request: Request) -> list[bytes]:
        if not menu.spec.writable or "disabled" not in menu.spec.booleans:
            raise MenuError("no such command", 0)
        for ref in targets(request.attributes):
            menu.update(ref, {"disabled": disabled})
        return [reply("!done", None, request.tag)]

    return handler


def _remove(state: RouterState, menu: Menu, request: Request) -> list[bytes]:
    if (not menu.spec.writable and menu.path not in REMOVABLE_READ_ONLY) or menu.spec.single:
        raise MenuError("no such command", 0)
    refs = targets(request.attributes)
    rows = [menu.resolve(ref) for ref in refs]  # all or nothing, as the router checks first
    for row in rows:
        menu.remove(row[".id"])
    return [reply("!done", None, request.tag)]


VERBS: dict[str, Handler] = {
    "print": _print,
    "getall": _print,
    "add": _add,
    "set": _set,
    "remove": _remove,
    "enable": _toggle("false"),
    "disable": _toggle("true"),
}


def execute(state: RouterState, request: Request) -> list[bytes]:
    """Run one menu command against the router's state; always a complete reply."""
    menu = state.menus.get(request.menu)
    handler = VERBS.get(request.verb)
    if menu is None or handler is None:
        known_prefix = request.command in state.menus or menu is not None
        return trap("no such command" if known_prefix else "no such command prefix", 0, request.tag)
    try:
        with state.lock:
            state.commands[request.command] += 1
            return handler(state, menu, request)
    except MenuError as exc:
        return trap(exc.message, exc.category, request.tag)
    except QueryError as exc:
        return trap(str(exc), 1, request.tag)
