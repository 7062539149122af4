"""OLTs over their SSH CLI (Huawei SmartAX, ZTE C320): netmiko in a bounded thread pool, replies
parsed with TextFSM (ntc-templates for SmartAX, our own templates in ``collectors/templates`` for
the ZTE commands it lacks) into ``OnuFacts``, saved with ``collectors.onus.upsert_onus``.

PON names and serials are the ones the SNMP family writes (``0/0/1`` for SmartAX F/S/P,
``1/1/1`` for gpon-olt_1/1/1; ``HWTC1F14CAAD``), so both families update the same ONU rows.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

import paramiko
import textfsm
from netmiko import BaseConnection, ConnectHandler
from netmiko.exceptions import (
    NetmikoAuthenticationException,
    NetmikoBaseException,
    NetmikoTimeoutException,
    ReadTimeout,
)
from ntc_templates.parse import ParsingException, parse_output
from sqlalchemy.orm import Session

from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, OnuStatus, SourceKind, Vendor
from collectors.models import Device
from collectors.onus import OnuReading, upsert_onus

TEMPLATES = Path(__file__).with_name("templates")
TIMEOUT_S = 15.0
POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="olt-ssh")
"""netmiko blocks: every OLT session runs here, at most 8 at once for the whole process."""

Send = Callable[..., str]
"""Send one command (and optionally the prompt pattern it ends on); returns its output."""
SendAll = Callable[[Sequence[str]], list[str]]
"""Type several commands ahead at once (the CLI runs them in turn); each one's output, in order."""
BATCH = 16
"""Commands typed ahead in one write: one round trip for many small displays."""


class _LoggedOut(logging.Filter):
    """netmiko's SmartAX logout checks the session with a NUL byte after the OLT has closed it, and
    logs that expected failure as an ERROR on every poll: keep it out of the operator's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Unable to send"


logging.getLogger("netmiko").addFilter(_LoggedOut())


@dataclass(frozen=True)
class OnuFacts:
    """What the CLI said about one ONU: only the store columns the commands observed."""

    pon: str
    onu_index: int
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OltSshResult:
    """Every ONU one poll saw, its facts from all commands merged."""

    onus: tuple[OnuFacts, ...]


def merge(*groups: Iterable[OnuFacts]) -> tuple[OnuFacts, ...]:
    """One ``OnuFacts`` per ONU, later commands' values over earlier ones, ordered by place."""
    merged: dict[tuple[str, int], dict[str, Any]] = {}
    for group in groups:
        for facts in group:
            merged.setdefault((facts.pon, facts.onu_index), {}).update(facts.values)
    places = sorted(merged, key=lambda place: (_pon_key(place[0]), place[1]))
    return tuple(OnuFacts(pon, index, merged[(pon, index)]) for pon, index in places)


def _pon_key(pon: str) -> tuple[int, ...]:
    return tuple(int(p) for p in pon.split("/") if p.isdigit())


def _number(text: str | None) -> float | None:
    """A reading as a float; ``-``, ``N/A`` and empty as None (the device said unknown)."""
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _integer(text: str | None) -> int | None:
    value = _number(text)
    return None if value is None else int(value)


# ---------------------------------------------------------------- Huawei SmartAX

HUAWEI_COMMANDS = {
    "onts": "display ont info 0 all",
    "summary": "display ont info summary {pon}",
    "interface": "interface gpon 0/{slot}",
    "optical": "display ont optical-info {port} all",
    "leave": "quit",
}
HUAWEI_PROMPTS = {"interface": r"\(config-if-gpon-\d+/\d+\)#", "leave": r"\(config\)#"}
HUAWEI_STATUS = {"online": OnuStatus.ONLINE, "offline": OnuStatus.OFFLINE}
HUAWEI_CAUSES = {"deactive ONT success": "deactivated", "deactive ONT fails": "deactivate failure",
                 "reset ONT": "reset", "-": None}
"""CLI wording -> the names the SNMP family stores (LOS, LOSi/LOBi, dying-gasp are the same)."""


def _ntc(command: str, raw: str) -> list[dict[str, Any]]:
    """ntc-templates' SmartAX parse of ``raw``; a ``Failure:`` answer (nothing there) is no rows."""
    if "Failure:" in raw:
        return []
    rows: list[dict[str, Any]] = parse_output(platform="huawei_smartax", command=command, data=raw)
    return rows


def huawei_serial(sn: str) -> str:
    """``485754431F14CAAD`` (as SmartAX prints it) -> ``HWTC1F14CAAD``; other forms unchanged."""
    sn = sn.split()[0]
    if len(sn) == 16 and re.fullmatch(r"[0-9A-Fa-f]{16}", sn):
        vendor = bytes.fromhex(sn[:8])
        if vendor.isalpha():
            return vendor.decode("ascii") + sn[8:].upper()
    return sn


def huawei_pon(fsp: str) -> str:
    """``0/ 1/0`` -> ``0/1/0``."""
    return fsp.replace(" ", "")


def parse_huawei_ont_table(raw: str) -> list[OnuFacts]:
    """``display ont info 0 all``: serial, run state and description of every ONT."""
    return [OnuFacts(huawei_pon(row["fsp"]), int(row["ont_id"]), {
        "serial": huawei_serial(row["serial_number"]),
        "status": HUAWEI_STATUS.get(row["run_state"], OnuStatus.UNKNOWN),
        "description": row["description"] or None,
    }) for row in _ntc(HUAWEI_COMMANDS["onts"], raw)]


def parse_huawei_summary(raw: str) -> list[OnuFacts]:
    """``display ont info summary 0/S/P``: state, last down cause, model, distance, ONT optics."""
    facts = []
    for row in _ntc("display ont info summary 0/0/0", raw):
        cause = row["last_downcause"] or "-"
        facts.append(OnuFacts(huawei_pon(row["port"]), int(row["ont_id"]), {
            "status": HUAWEI_STATUS.get(row["run_state"], OnuStatus.UNKNOWN),
            "last_down_cause": HUAWEI_CAUSES.get(cause, cause),
            "model": row["ont_model_type"] or None, "distance_m": _integer(row["distance_m"]),
            "rx_dbm": _number(row["rx_power_dbm"]), "tx_dbm": _number(row["tx_power_dbm"]),
        }))
    return facts


def parse_huawei_optical(raw: str, pon: str) -> list[OnuFacts]:
    """``display ont optical-info <port> all`` on PON ``pon``: both optics, OLT-side rx, temperature."""
    return [OnuFacts(pon, int(row["ont_id"]), {
        "rx_dbm": _number(row["rx_power"]), "tx_dbm": _number(row["tx_power"]),
        "olt_rx_dbm": _number(row["olt_rx_ont"]), "temperature_c": _number(row["temperature"]),
        "distance_m": _integer(row["distance"]),
    }) for row in _ntc("display ont optical-info 0 all", raw)]


def _collect_huawei(send: Send, send_all: SendAll) -> tuple[OnuFacts, ...]:
    table = parse_huawei_ont_table(send(HUAWEI_COMMANDS["onts"]))
    pons = sorted({f.pon for f in table}, key=_pon_key)
    summaries = [f for raw in send_all([HUAWEI_COMMANDS["summary"].format(pon=pon) for pon in pons])
                 for f in parse_huawei_summary(raw)]
    optics: list[OnuFacts] = []
    for slot, on_board in groupby(pons, key=lambda pon: pon.split("/")[1]):
        send(HUAWEI_COMMANDS["interface"].format(slot=slot), HUAWEI_PROMPTS["interface"])
        for pon in on_board:
            raw = send(HUAWEI_COMMANDS["optical"].format(port=pon.split("/")[2]))
            optics += parse_huawei_optical(raw, pon)
        send(HUAWEI_COMMANDS["leave"], HUAWEI_PROMPTS["leave"])
    return merge(table, summaries, optics)


def _enter_huawei(conn: BaseConnection) -> None:
    conn.enable()
    conn.config_mode()


# ---------------------------------------------------------------- ZTE C320

ZTE_COMMANDS = {
    "state": "show gpon onu state",
    "onu_rx": "show pon power onu-rx gpon-olt_{pon}",
    "olt_rx": "show pon power olt-rx gpon-olt_{pon}",
    "detail": "show gpon onu detail-info gpon-onu_{onu}",
}
ZTE_TEMPLATES = {"state": "zte_zxros_show_gpon_onu_state.textfsm",
                 "power": "zte_zxros_show_pon_power.textfsm",
                 "detail": "zte_zxros_show_gpon_onu_detail-info.textfsm"}
ZTE_STATUS = {"working": OnuStatus.ONLINE, "los": OnuStatus.OFFLINE, "dyinggasp": OnuStatus.OFFLINE,
              "offline": OnuStatus.OFFLINE, "authfailed": OnuStatus.OFFLINE}
ZTE_CAUSES = {"los": "los", "dyinggasp": "dyingGasp", "authfailed": "authFailed"}
"""CLI wording -> the names the SNMP family stores for the same phase states."""


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _fsm(name: str, raw: str) -> list[dict[str, Any]]:
    """Our TextFSM template ``name`` over ``raw``, rows as dicts with lowercase keys."""
    fsm = textfsm.TextFSM(io.StringIO(_template(name)))
    rows: list[dict[str, Any]] = fsm.ParseTextToDicts(raw)
    return [{k.lower(): v for k, v in row.items()} for row in rows]


def _zte_place(index: str) -> tuple[str, int]:
    pon, _, onu = index.partition(":")
    return pon, int(onu)


def parse_zte_state(raw: str) -> list[OnuFacts]:
    """``show gpon onu state``: every ONU's place and whether it is working."""
    return [OnuFacts(*_zte_place(row["onu_index"]),
                     {"status": ZTE_STATUS.get(row["phase_state"].lower(), OnuStatus.UNKNOWN)})
            for row in _fsm(ZTE_TEMPLATES["state"], raw)]


def parse_zte_power(raw: str, column: str) -> list[OnuFacts]:
    """``show pon power onu-rx|olt-rx gpon-olt_...``: one level per ONU into ``column`` (N/A: None)."""
    return [OnuFacts(*_zte_place(row["onu_index"]), {column: _number(row["rx_power_dbm"])})
            for row in _fsm(ZTE_TEMPLATES["power"], raw)]


def parse_zte_detail(raw: str) -> OnuFacts | None:
    """``show gpon onu detail-info gpon-onu_...``: serial, name, type, distance, last down cause."""
    rows = _fsm(ZTE_TEMPLATES["detail"], raw)
    if not rows:
        return None
    row = rows[0]
    causes = [s["cause"] for s in row["sessions"] if s.get("cause")]
    cause = causes[-1] if causes else None
    return OnuFacts(*_zte_place(row["onu_index"]), {
        "serial": row["serial_number"] or None, "description": row["name"] or None,
        "model": row["type"] or None, "distance_m": _integer(row["distance_m"]),
        "last_down_cause": ZTE_CAUSES.get(cause.lower(), cause) if cause else None,
    })


def _collect_zte(send: Send, send_all: SendAll) -> tuple[OnuFacts, ...]:
    states = parse_zte_state(send(ZTE_COMMANDS["state"]))
    pons = sorted({f.pon for f in states}, key=_pon_key)
    sides = (("onu_rx", "rx_dbm"), ("olt_rx", "olt_rx_dbm"))
    replies = send_all([ZTE_COMMANDS[key].format(pon=pon) for pon in pons for key, _ in sides])
    power = [f for raw, (_, column) in zip(replies, sides * len(pons), strict=True)
             for f in parse_zte_power(raw, column)]
    details = [parse_zte_detail(raw) for raw in send_all(
        [ZTE_COMMANDS["detail"].format(onu=f"{f.pon}:{f.onu_index}") for f in states])]
    return merge(states, power, (d for d in details if d is not None))


def _enter_zte(conn: BaseConnection) -> None:
    conn.enable()


# ---------------------------------------------------------------- the family


@dataclass(frozen=True)
class VendorPlan:
    """One vendor's CLI as data: netmiko device type, whether ``enable`` asks for the password
    again (netmiko's SmartAX ``enable`` would type a secret as a command), the way to the right
    mode, what to run."""

    device_type: str
    enable_secret: bool
    enter: Callable[[BaseConnection], None]
    collect: Callable[[Send, SendAll], tuple[OnuFacts, ...]]


PLANS: dict[Vendor, VendorPlan] = {
    Vendor.HUAWEI: VendorPlan("huawei_smartax", False, _enter_huawei, _collect_huawei),
    Vendor.ZTE: VendorPlan("zte_zxros", True, _enter_zte, _collect_zte),
}


def _session(target: Target, plan: VendorPlan, timeout: float) -> OltSshResult:
    """One netmiko session (in a worker thread): log in, collect, log out; always closed."""
    conn = ConnectHandler(
        device_type=plan.device_type, host=target.host, port=target.ssh_port, username=target.username or "",
        password=target.password, secret=target.password if plan.enable_secret else "",
        conn_timeout=timeout, auth_timeout=timeout, banner_timeout=timeout, read_timeout_override=timeout,
        auto_connect=False)
    try:
        # netmiko's own connect steps, without its disconnect on a failed preparation (SmartAX's
        # logout then waits 30 s on a silent device): a failure here is closed below at once.
        conn.establish_connection()
        _fail_on_hangup(conn)
        conn.write_channel(conn.RETURN)
        conn.session_preparation()
        plan.enter(conn)
        any_prompt = re.escape(conn.base_prompt) + r"[^\r\n]*[>#]"  # every mode's prompt of this host
        facts = plan.collect(lambda command, expect=None: str(
            conn.send_command(command, expect_string=expect or any_prompt, read_timeout=timeout)),
            lambda commands: _send_all(conn, commands, any_prompt, timeout))
    except BaseException:
        conn.paramiko_cleanup()
        raise
    conn.disconnect()
    return OltSshResult(facts)


class HungUp(EOFError):
    """The OLT closed the session in the middle of a reply."""


def _fail_on_hangup(conn: BaseConnection) -> None:
    """Make this connection's reads raise HungUp once the OLT has closed the channel and nothing
    is left to read (netmiko would otherwise read the dead channel until its read timeout)."""
    read = conn.read_channel

    def read_or_fail() -> str:
        text = read()
        channel = conn.remote_conn
        if not text and isinstance(channel, paramiko.Channel) and (channel.closed or channel.eof_received):
            raise HungUp("the OLT closed the session mid-reply")
        return text

    conn.read_channel = read_or_fail  # type: ignore[method-assign]


def _send_all(conn: BaseConnection, commands: Sequence[str], prompt: str, timeout: float) -> list[str]:
    """Type ``commands`` ahead, ``BATCH`` at a time, and split what comes back at each prompt: the
    output of each without its echoed command line and its prompt (as ``send_command`` gives)."""
    outputs: list[str] = []
    for start in range(0, len(commands), BATCH):
        batch = commands[start: start + BATCH]
        conn.write_channel("".join(command + conn.RETURN for command in batch))
        for _ in batch:
            chunk = conn.read_until_pattern(pattern=prompt, read_timeout=timeout)
            lines = chunk.replace("\r\n", "\n").split("\n")
            outputs.append("\n".join(lines[1:-1]))
    return outputs


def _guarded(target: Target, plan: VendorPlan, timeout: float) -> OltSshResult:
    """``_session`` with every library failure as a CollectError naming the device, never secrets."""
    where = f"{target.name} ({target.host}:{target.ssh_port})"
    try:
        return _session(target, plan, timeout)
    except NetmikoAuthenticationException as exc:
        raise CollectError(f"{where}: SSH login refused") from exc
    except (NetmikoTimeoutException, ReadTimeout) as exc:
        raise CollectError(f"{where}: no answer within {timeout:g} s") from exc
    except (ParsingException, textfsm.TextFSMError) as exc:
        raise CollectError(f"{where}: CLI reply not understood") from exc
    except HungUp as exc:
        raise CollectError(f"{where}: the OLT closed the session mid-reply") from exc
    except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError, ValueError) as exc:
        raise CollectError(f"{where}: SSH session failed ({type(exc).__name__})") from exc


class OltSshCollector:
    """ONUs of Huawei and ZTE OLTs read over SSH: state, serial, last down cause, optics, distance."""

    family = SourceKind.OLT_SSH

    def __init__(self, *, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s

    def selects(self, device: Device) -> bool:
        """OLTs of a vendor with a CLI plan here and an SSH port."""
        return device.kind == DeviceKind.OLT and device.vendor in PLANS and device.ssh_port is not None

    async def poll(self, target: Target) -> OltSshResult:
        """Run the vendor's commands in the worker pool; CollectError on any failure."""
        plan = PLANS.get(target.vendor)
        if plan is None or target.ssh_port is None:
            raise CollectError(f"{target.name}: no SSH CLI plan for {target.vendor} or no SSH port")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(POOL, _guarded, target, plan, self.timeout_s)

    def save(self, session: Session, target: Target, result: OltSshResult, *, now: datetime) -> int:
        """Upsert every ONU the poll saw (optics samples included); returns how many values landed."""
        readings = [OnuReading(f.pon, f.onu_index, f.values) for f in result.onus]
        return upsert_onus(session, target.device_id, readings, now=now)
