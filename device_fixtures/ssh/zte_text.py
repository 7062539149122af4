"""What a ZTE ZXA10 C320 prints for its GPON ONU commands, generated from the OLT state in the
layout public captures of the real CLI show.

PON ``p`` of the SNMP face is gpon-olt_1/<1 + p // 16>/<1 + p % 16> here, as its MIB index says.
"""

from __future__ import annotations

from device_fixtures.snmp.olts import Onu
from device_fixtures.ssh.state import ZTE_CAUSE_TEXT, OltCliState, sim_clock

PORTS_PER_CARD = 16
NEVER = "0000-00-00 00:00:00"


def pon_of(slot: int, port: int) -> int:
    """The 0-based PON of card ``slot``, port ``port`` (both from 1, rack 1)."""
    return (slot - 1) * PORTS_PER_CARD + (port - 1)


def port_name(pon: int) -> str:
    """``1/1/1`` for PON 0."""
    slot, port = divmod(pon, PORTS_PER_CARD)
    return f"1/{slot + 1}/{port + 1}"


def phase_state(onu: Onu) -> str:
    """zxAnGponOnuPhaseState as the CLI words it (the SNMP face's rule: working, DyingGasp or LOS)."""
    if onu.online:
        return "working"
    return "DyingGasp" if onu.down_cause == 13 else "LOS"


def onu_state(state: OltCliState, pons: list[int]) -> str:
    """``show gpon onu state [gpon-olt_1/S/P]``: admin, OMCC and phase state of every ONU."""
    onus = [o for pon in pons for o in state.onus_on(pon)]
    if not onus:
        return "%Code 62310: No related information to show."
    lines = ["OnuIndex   Admin State  OMCC State  Phase State  Channel",
             "-" * 62]
    for onu in onus:
        index = f"{port_name(onu.pon)}:{onu.onu_id}"
        omcc = "enable" if onu.online else "disable"
        lines.append(f"{index:<12}{'enable':<13}{omcc:<12}{phase_state(onu):<13}1(GPON)")
    online = sum(1 for o in onus if o.online)
    lines.append(f"ONU Number: {online}/{len(onus)}")
    return "\r\n".join(lines)


def power_table(state: OltCliState, pon: int, *, olt_side: bool) -> str:
    """``show pon power onu-rx|olt-rx gpon-olt_1/S/P``: one received level per ONU, N/A when down."""
    onus = state.onus_on(pon)
    if not onus:
        return "%Code 62310: No related information to show."
    lines = [f"{'Onu':<20}Rx power", "-" * 36]
    for onu in onus:
        index = f"gpon-onu_{port_name(onu.pon)}:{onu.onu_id}"
        level = onu.olt_rx_dbm if olt_side else onu.rx_dbm
        value = f"{level:.3f}(dbm)" if onu.online else "N/A"
        lines.append(f"{index:<20}{value}")
    return "\r\n".join(lines)


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h {s % 3600 // 60}m {s % 60}s"


def _history(state: OltCliState, onu: Onu) -> list[tuple[str, str, str]]:
    """Up to 10 sessions (authpass time, offline time, cause), oldest first, padded with zeros."""
    now = state.olt.system.uptime_s
    last_up = now - onu.up_s
    cause = ZTE_CAUSE_TEXT.get(onu.down_cause, "")
    rows: list[tuple[str, str, str]] = []
    if onu.down_cause != -1:
        rows.append((sim_clock(last_up - 4200), sim_clock(last_up - 600), cause))
    if onu.online:
        rows.append((sim_clock(last_up), NEVER, ""))
    else:
        rows.append((sim_clock(last_up), sim_clock(now), cause or "LOS"))
    return rows + [(NEVER, NEVER, "")] * (10 - len(rows))


def detail_info(state: OltCliState, onu: Onu) -> str:
    """``show gpon onu detail-info gpon-onu_1/S/P:N``: identity, state, distance and history."""
    online = onu.online
    fields = [
        ("Name", onu.name), ("Type", onu.model), ("State", "ready"), ("Configured channel", "auto"),
        ("Current channel", "1(GPON)"), ("Admin state", "enable"), ("Phase state", phase_state(onu)),
        ("Config state", "success"), ("Authentication mode", "sn"), ("SN Bind", "enable with SN check"),
        ("Serial number", onu.serial), ("Password", ""), ("Description", f"{onu.name} ftth"),
        ("Vport mode", "gemport"), ("DBA Mode", "Hybrid"), ("ONU Status", "enable"),
        ("OMCI BW Profile", ""), ("Line Profile", "N/A"), ("Service Profile", "N/A"),
        ("ONU Distance", f"{onu.distance_m}m" if online else "N/A"),
        ("Online Duration", _duration(onu.up_s) if online else "N/A"),
        ("FEC", "none"), ("FEC actual mode", "N/A"), ("1PPS+ToD", "disable"), ("Auto replace", "disable"),
    ]
    lines = [f"{'ONU interface:':<23}gpon-onu_{port_name(onu.pon)}:{onu.onu_id}"]
    lines += [f"  {key + ':':<21}{value}".rstrip() if value else f"  {key}:" for key, value in fields]
    lines += ["  Multicast encryption:disable", "  Multicast encryption current state:N/A", "-" * 42,
              "       Authpass Time          OfflineTime             Cause"]
    for n, (up, down, cause) in enumerate(_history(state, onu), start=1):
        lines.append(f"  {n:>2}   {up}    {down}     {cause}".rstrip())
    return "\r\n".join(lines)
