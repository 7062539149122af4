"""The Huawei SmartAX (MA5608T) shell: ``MA5608T>`` -> ``enable`` -> ``#`` -> ``config`` ->
``(config)#`` -> ``interface gpon 0/S`` -> ``(config-if-gpon-0/S)#``; the ONT displays, ``ont
deactivate|activate``, smart interaction (``undo smart``), ``scroll`` / ``screen-length 0
temporary`` and the logout question ``quit`` asks."""

from __future__ import annotations

import math
from collections.abc import Callable

from device_fixtures.ssh import huawei_text as text
from device_fixtures.ssh.shell import CliSession, Dialect, Reply, first_match
from device_fixtures.ssh.state import sim_clock

USER, ENABLE, CONFIG, GPON = "user", "enable", "config", "gpon"
MORE = "---- More ( Press 'Q' to break ) ----"
ERASE = f"\x1b[{len(MORE)}D{' ' * len(MORE)}\x1b[{len(MORE)}D"
UNKNOWN = "  % Unknown command, the error locates at '^'"
LOGOUT_QUESTION = "  Are you sure to log out? (y/n)[n]:"
LOGGED_OUT = ("  Check whether system data has been changed. Please save data before logout.\r\n"
              "  Configuration console exit, please retry to log on")
Handler = Callable[..., Reply]


def prompt(session: CliSession) -> str:
    """``MA5608T>``, ``MA5608T#``, ``MA5608T(config)#`` or ``MA5608T(config-if-gpon-0/1)#``."""
    host = session.state.hostname
    return {USER: f"{host}>", ENABLE: f"{host}#", CONFIG: f"{host}(config)#",
            GPON: f"{host}(config-if-gpon-0/{session.slot})#"}[session.mode]


def banner(session: CliSession) -> str:
    """The last-login notice SmartAX shows after an SSH login."""
    now = sim_clock(session.state.olt.system.uptime_s)
    rule = text.DASH77
    return "\r\n".join(["", rule, "  User last login information:", rule, "  Access Type : SSH ",
                        "  IP-Address  : 127.0.0.1 ssh", f"  Login  Time : {now}+08:00",
                        "  Logout Time : -", rule, "", ""])


def boards(session: CliSession) -> int:
    """GPON boards fitted: the MA5608T's two service slots, more when the PONs need them."""
    return max(2, math.ceil(session.state.olt.pon_count / text.PORTS_PER_BOARD))


def _mode(mode: str) -> Handler:
    def handler(session: CliSession, *_: str) -> Reply:
        session.mode = mode
        return Reply()
    return handler


def _screen(length: int | None) -> Handler:
    def handler(session: CliSession, value: str = "0", *_: str) -> Reply:
        session.page_length = int(value) if length is None else length
        return Reply()
    return handler


def _smart(on: bool) -> Handler:
    def handler(session: CliSession, *_: str) -> Reply:
        session.smart = on
        return Reply()
    return handler


def _quit(session: CliSession, *_: str) -> Reply:
    session.pending = _answer_logout
    return Reply(LOGOUT_QUESTION, prompt=False)


def _answer_logout(session: CliSession, answer: str) -> Reply:
    if answer.lower().startswith("y"):
        return Reply(LOGGED_OUT, close=True)
    return Reply()


def _interface(session: CliSession, where: str) -> Reply:
    frame, _, slot = where.partition("/")
    if frame != "0" or not slot.isdigit() or int(slot) >= boards(session):
        return Reply("  Failure: The board does not exist")
    session.mode, session.slot = GPON, int(slot)
    return Reply()


def _pons(session: CliSession, slot: int | None, port: int | None) -> list[int]:
    slots = range(boards(session)) if slot is None else [slot]
    ports = range(text.PORTS_PER_BOARD) if port is None else [port]
    return [text.pon_of(s, p) for s in slots for p in ports]


def _info_frame(session: CliSession, frame: str) -> Reply:
    return _info_table(session, frame, None, None)


def _info_slot(session: CliSession, frame: str, slot: str) -> Reply:
    return _info_table(session, frame, slot, None)


def _info_table(session: CliSession, frame: str, slot: str | None, port: str | None) -> Reply:
    if frame != "0" or (slot is not None and int(slot) >= boards(session)):
        return Reply("  Failure: The board does not exist")
    pons = _pons(session, None if slot is None else int(slot), None if port is None else int(port))
    return Reply(text.ont_info_table(session.state, pons))


def _info_detail(session: CliSession, frame: str, slot: str, port: str, ont: str) -> Reply:
    onu = session.state.find(text.pon_of(int(slot), int(port)), int(ont)) if frame == "0" else None
    if onu is None:
        return Reply("  Failure: The ONT does not exist")
    return Reply(text.ont_detail(session.state, onu))


def _summary(session: CliSession, where: str) -> Reply:
    parts = where.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or parts[0] != "0":
        return Reply("  % Parameter error, the error locates at '^'")
    pon = text.pon_of(int(parts[1]), int(parts[2]))
    if not session.smart:
        return Reply(text.ont_summary(session.state, pon))
    session.pending = lambda s, answer: _smart_answer(s, answer, f"display ont info summary {where}", pon)
    return Reply("{ <cr>|ontid<U><0,255>|sort-by<K> }:", prompt=False)


def _smart_answer(session: CliSession, answer: str, command: str, pon: int) -> Reply:
    if answer:
        return Reply(UNKNOWN)
    return Reply(f"\r\n  Command:\r\n          {command}\r\n" + text.ont_summary(session.state, pon))


def _port_info(session: CliSession, port: str) -> Reply:
    return _info_table(session, "0", str(session.slot), port)


def _port_detail(session: CliSession, port: str, ont: str) -> Reply:
    return _info_detail(session, "0", str(session.slot), port, ont)


def _optical(session: CliSession, port: str) -> Reply:
    return Reply(text.optical_info(session.state, text.pon_of(session.slot, int(port))))


def _activation(active: bool) -> Handler:
    def handler(session: CliSession, port: str, ont: str) -> Reply:
        onu = session.state.find(text.pon_of(session.slot, int(port)), int(ont))
        if onu is None:
            return Reply("  Failure: The ONT does not exist")
        session.state.set_active(onu, active)
        return Reply()
    return handler


COMMON: list[tuple[str, Handler]] = [
    ("scroll <n>", _screen(None)), ("scroll", _screen(0)),
    ("screen-length <n> temporary", _screen(None)),
    ("undo smart", _smart(False)), ("smart", _smart(True)),
]
TABLES: dict[str, list[tuple[str, Handler]]] = {
    USER: [("enable", _mode(ENABLE)), ("quit", _quit), *COMMON],
    ENABLE: [("config", _mode(CONFIG)), ("disable", _mode(USER)), ("quit", _quit),
             ("infoswitch cli off", _mode(ENABLE)), *COMMON],
    CONFIG: [("interface gpon <word>", _interface), ("quit", _mode(ENABLE)), ("return", _mode(ENABLE)),
             ("display ont info summary <word>", _summary),
             ("display ont info <n> all", _info_frame), ("display ont info <n> <n> all", _info_slot),
             ("display ont info <n> <n> <n> all", _info_table),
             ("display ont info <n> <n> <n> <n>", _info_detail), *COMMON],
    GPON: [("quit", _mode(CONFIG)), ("return", _mode(ENABLE)),
           ("display ont info <n> all", _port_info), ("display ont info <n> <n>", _port_detail),
           ("display ont optical-info <n> all", _optical),
           ("ont deactivate <n> <n>", _activation(False)), ("ont activate <n> <n>", _activation(True)),
           *COMMON],
}


def interpret(session: CliSession, words: list[str]) -> Reply:
    """Run one command in the session's mode; an unknown one gets the caret and the error."""
    reply = first_match(words, TABLES[session.mode], session)
    if reply is not None:
        return reply
    caret = " " * len(prompt(session)) + "^"
    return Reply(f"{caret}\r\n{UNKNOWN}")


DIALECT = Dialect(name="huawei", initial_mode=USER, page_length=24, more=MORE, erase=ERASE, gap="\r\n",
                  prompt=prompt, banner=banner, interpret=interpret)
"""The SmartAX CLI as the SSH server drives it."""
