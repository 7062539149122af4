"""The ZTE ZXA10 C320 shell: ``ZXAN>`` -> ``enable`` (the login password again) -> ``ZXAN#`` ->
``configure terminal`` -> ``ZXAN(config)#``; ``terminal length``, the GPON ONU state, power and
detail displays (privileged), the ``--More--`` pager."""

from __future__ import annotations

import re
from collections.abc import Callable

from device_fixtures.ssh import zte_text as text
from device_fixtures.ssh.shell import CliSession, Dialect, Reply, first_match

USER, ENABLE, CONFIG = "user", "enable", "config"
MORE = "--More--"
ERASE = "\x08" * len(MORE) + " " * len(MORE) + "\x08" * len(MORE)
INVALID = "%Error 20200: Invalid input detected at '^' marker."
BAD_PARAMETER = "%Error 20202: Invalid parameter."
OLT_PORT = re.compile(r"^gpon-olt_1/(\d+)/(\d+)$", re.IGNORECASE)
ONU_PORT = re.compile(r"^gpon-onu_1/(\d+)/(\d+):(\d+)$", re.IGNORECASE)
Handler = Callable[..., Reply]


def prompt(session: CliSession) -> str:
    """``ZXAN>``, ``ZXAN#`` or ``ZXAN(config)#``."""
    host = session.state.hostname
    return {USER: f"{host}>", ENABLE: f"{host}#", CONFIG: f"{host}(config)#"}[session.mode]


def banner(session: CliSession) -> str:
    """The welcome line a C320 prints after login."""
    return "\r\n\r\nWelcome to ZXAN product C320 of ZTE Corporation\r\n\r\n"


def _mode(mode: str) -> Handler:
    def handler(session: CliSession, *_: str) -> Reply:
        session.mode = mode
        return Reply()
    return handler


def _enable(session: CliSession, *_: str) -> Reply:
    session.pending, session.hidden = _enable_password, True
    return Reply("Password:", prompt=False)


def _enable_password(session: CliSession, password: str) -> Reply:
    if session.state.credentials.get(session.user) == password:
        session.mode = ENABLE
        return Reply()
    return Reply("% Bad password")


def _logout(session: CliSession, *_: str) -> Reply:
    return Reply("", close=True, prompt=False)


def _length(session: CliSession, value: str) -> Reply:
    session.page_length = int(value)
    return Reply()


def _olt_pon(session: CliSession, where: str) -> int | None:
    found = OLT_PORT.match(where)
    if found is None:
        return None
    pon = text.pon_of(int(found[1]), int(found[2]))
    return pon if 0 <= pon < session.state.olt.pon_count else None


def _state_all(session: CliSession) -> Reply:
    return Reply(text.onu_state(session.state, list(range(session.state.olt.pon_count))))


def _state_port(session: CliSession, where: str) -> Reply:
    pon = _olt_pon(session, where)
    return Reply(BAD_PARAMETER) if pon is None else Reply(text.onu_state(session.state, [pon]))


def _power(olt_side: bool) -> Handler:
    def handler(session: CliSession, where: str) -> Reply:
        pon = _olt_pon(session, where)
        if pon is None:
            return Reply(BAD_PARAMETER)
        return Reply(text.power_table(session.state, pon, olt_side=olt_side))
    return handler


def _detail(session: CliSession, where: str) -> Reply:
    found = ONU_PORT.match(where)
    onu = None
    if found is not None:
        onu = session.state.find(text.pon_of(int(found[1]), int(found[2])), int(found[3]))
    if onu is None:
        return Reply("%Code 62310: No related information to show.")
    return Reply(text.detail_info(session.state, onu))


SHOW: list[tuple[str, Handler]] = [
    ("show gpon onu state", _state_all), ("show gpon onu state <word>", _state_port),
    ("show pon power onu-rx <word>", _power(False)), ("show pon power olt-rx <word>", _power(True)),
    ("show gpon onu detail-info <word>", _detail),
]
TABLES: dict[str, list[tuple[str, Handler]]] = {
    USER: [("enable", _enable), ("exit", _logout), ("terminal length <n>", _length)],
    ENABLE: [("configure terminal", _mode(CONFIG)), ("disable", _mode(USER)), ("exit", _logout),
             ("terminal length <n>", _length), *SHOW],
    CONFIG: [("exit", _mode(ENABLE)), ("end", _mode(ENABLE)), ("terminal length <n>", _length), *SHOW],
}


def interpret(session: CliSession, words: list[str]) -> Reply:
    """Run one command in the session's mode; an unknown one gets the caret and the error."""
    reply = first_match(words, TABLES[session.mode], session)
    if reply is not None:
        return reply
    caret = " " * len(prompt(session)) + "^"
    return Reply(f"{caret}\r\n{INVALID}")


DIALECT = Dialect(name="zte", initial_mode=USER, page_length=24, more=MORE, erase=ERASE, gap="\r\n",
                  prompt=prompt, banner=banner, interpret=interpret)
"""The C320 CLI as the SSH server drives it."""
