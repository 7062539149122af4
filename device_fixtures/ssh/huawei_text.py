"""What a Huawei SmartAX (MA5608T) prints for its ONT commands, generated from the OLT state in the
layout the real CLI uses (column widths, headers and dashes as ntc-templates reads them).

PON ``p`` of the SNMP face is GPON port 0/<p // 16>/<p % 16> here, as its ifIndex says.
"""

from __future__ import annotations

from device_fixtures.snmp.olts import Onu
from device_fixtures.ssh.state import HUAWEI_CAUSE_TEXT, OltCliState, sim_clock

PORTS_PER_BOARD = 16
DASH77 = "  " + "-" * 77
DASH78 = "  " + "-" * 78


def pon_of(slot: int, port: int) -> int:
    """The 0-based PON of board ``slot``, port ``port``."""
    return slot * PORTS_PER_BOARD + port


def slot_port(pon: int) -> tuple[int, int]:
    """Board and port of a 0-based PON."""
    return divmod(pon, PORTS_PER_BOARD)


def fsp(pon: int, *, spaced: bool) -> str:
    """``0/ 1/0`` (the ``display ont info`` tables pad the slot) or ``0/1/0``."""
    slot, port = slot_port(pon)
    return f"0/{slot:>2}/{port}" if spaced else f"0/{slot}/{port}"


def serial_hex(onu: Onu) -> str:
    """The SN as SmartAX tables print it: 16 hex digits (``HWTC`` is ``48575443``)."""
    return onu.serial_octets().hex().upper()


def _states(state: OltCliState, onu: Onu) -> tuple[str, str, str, str]:
    """Control flag, run state, config state, match state."""
    flag = "active" if state.is_active(onu) else "deactive"
    if onu.online:
        return flag, "online", "normal", "match"
    return flag, "offline", "initial", "initial"


def _port_footer(state: OltCliState, pon: int, *, spaced: bool) -> str:
    onus = state.onus_on(pon)
    online = sum(1 for o in onus if o.online)
    where = f"{fsp(pon, spaced=True)} " if spaced else fsp(pon, spaced=False)
    return f"  In port {where}, the total of ONTs are: {len(onus)}, online: {online}"


def ont_info_table(state: OltCliState, pons: list[int]) -> str:
    """``display ont info <f> [<s> [<p>]] all``: per port, the state table then the descriptions."""
    blocks: list[str] = []
    for pon in pons:
        onus = state.onus_on(pon)
        if not onus:
            continue
        lines = [DASH77,
                 "  F/S/P   ONT         SN         Control     Run      Config   Match    Protect",
                 "          ID                     flag        state    state    state    side ",
                 DASH77]
        for onu in onus:
            flag, run, config, match = _states(state, onu)
            lines.append(f"  {fsp(pon, spaced=True):<8}{onu.onu_id:>3}  {serial_hex(onu)}  "
                         f"{flag:<12}{run:<9}{config:<9}{match:<9}{'no':<3}")
        lines += [DASH77, "  F/S/P       ONT  Description  ", "              ID  ", DASH77]
        lines += [f"  {fsp(pon, spaced=True)}{onu.onu_id:>8}   {onu.name}" for onu in onus]
        lines += [DASH77, _port_footer(state, pon, spaced=True)]
        blocks.append("\r\n".join(lines))
    if not blocks:
        return "  Failure: There is not any ONT available"
    return "\r\n".join(blocks) + "\r\n" + DASH77


def _times(state: OltCliState, onu: Onu) -> tuple[str, str, str]:
    """Last up time, last down time and down cause as the summary prints them."""
    now = state.olt.system.uptime_s
    cause = HUAWEI_CAUSE_TEXT.get(onu.down_cause, "-")
    up = sim_clock(now - onu.up_s)
    down = sim_clock(now - onu.up_s - 600) if onu.down_cause != -1 else "-"
    return up, down, cause


def ont_summary(state: OltCliState, pon: int) -> str:
    """``display ont info summary 0/S/P``: run state and history, then SN, type, distance, power."""
    onus = state.onus_on(pon)
    if not onus:
        return "  Failure: There is not any ONT available"
    lines = ["  Command is being executed. Please wait", DASH78, _port_footer(state, pon, spaced=False),
             DASH78, "  ONT  Run     Last                Last                Last                   ",
             "  ID   State   UpTime              DownTime            DownCause", DASH78]
    for onu in onus:
        up, down, cause = _times(state, onu)
        run = "online" if onu.online else "offline"
        lines.append(f"  {onu.onu_id:<5}{run:<8}{up:<20}{down:<20}{cause:<25}")
    lines += [DASH78, "  ONT        SN        Type          Distance Rx/Tx power  Description",
              "  ID                                    (m)      (dBm)", DASH78]
    for onu in onus:
        distance = str(onu.distance_m) if onu.online else "-"
        power = f"{onu.rx_dbm:.2f}/{onu.tx_dbm:.2f}" if onu.online else "-/-"
        lines.append(f"  {onu.onu_id:<4}{serial_hex(onu):<17}{onu.model:<17}{distance:<6}{power:<13}"
                     f"{onu.name}")
    lines.append(DASH78)
    return "\r\n".join(lines)


def optical_info(state: OltCliState, pon: int) -> str:
    """``display ont optical-info <p> all`` (interface mode): the online ONTs' optics."""
    online = [o for o in state.onus_on(pon) if o.online]
    if not online:
        return "  Failure: The ONT is not online"
    lines = [DASH77 + " ",
             "  ONT  Rx power  Tx power  OLT Rx ONT  Temperature  Voltage  Current  Distance  ",
             "  ID   (dBm)     (dBm)     power(dBm)  (C)          (V)      (mA)     (m)       ",
             DASH77 + " "]
    for o in online:
        lines.append(f"  {o.onu_id:>3}  {o.rx_dbm:<10.2f}{o.tx_dbm:<10.2f}{o.olt_rx_dbm:<12.2f}"
                     f"{round(o.temperature_c):<13}{o.voltage_v:<9.3f}{round(o.bias_ma):<9}{o.distance_m:<10}")
    lines.append(DASH77)
    return "\r\n".join(lines)


def _duration(seconds: float) -> str:
    s = int(seconds)
    return (f"{s // 86400} day(s), {s % 86400 // 3600} hour(s), {s % 3600 // 60} minute(s), "
            f"{s % 60} second(s)")


def ont_detail(state: OltCliState, onu: Onu) -> str:
    """``display ont info 0 S P ONT``: one ONT's state, identity and history as ``key : value``."""
    flag, run, config, match = _states(state, onu)
    up, down, cause = _times(state, onu)
    online = onu.online
    fields = [
        ("F/S/P", fsp(onu.pon, spaced=True)), ("ONT-ID", str(onu.onu_id)), ("Control flag", flag),
        ("Run state", run), ("Config state", config), ("Match state", match), ("ONT LLID", "-"),
        ("ONT distance(m)", str(onu.distance_m) if online else "-"),
        ("ONT last distance(m)", str(onu.distance_m)), ("ONT RTT(TQ)", "-"),
        ("Memory occupation", "34" if online else "-"), ("CPU occupation", "2" if online else "-"),
        ("Temperature", str(round(onu.temperature_c)) if online else "-"),
        ("Authentic type", "SN-auth"), ("SN", f"{serial_hex(onu)} ({onu.serial[:4]}-{onu.serial[4:]})"),
        ("Management mode", "OMCI"), ("Software work mode", "normal"), ("Isolation state", "normal"),
        ("Description", onu.name), ("Last down cause", cause), ("Last up time", f"{up}+08:00"),
        ("Last down time", f"{down}+08:00" if down != "-" else "-"),
        ("Last dying gasp time", f"{down}+08:00" if onu.down_cause == 13 else "-"),
        ("ONT online duration", _duration(onu.up_s) if online else "-"),
        ("Type D support", "Not support"), ("Interoperability-mode", "unknown"),
        ("VS-ID", "0"), ("VS name", "admin-vs"), ("Global ONT-ID", str(onu.pon * 128 + onu.onu_id)),
        ("Fiber route", "none"),
    ]
    lines = [DASH77, *(f"  {key:<24}: {value}" for key, value in fields), DASH77,
             "  Line profile ID      : 10", "  Line profile name    : line-ftth", DASH77]
    return "\r\n".join(lines)
