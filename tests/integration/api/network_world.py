"""A small network beside the two operators' world: routers, OLTs and ONUs, radios, Zabbix, checks,
sessions, logs and a suspension run, committed through the ORM as the collectors would write them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from billing.enums import RunStatus, SuspensionAction
from billing.models import SuspensionLog, SuspensionRun
from collectors import enums as ce
from collectors.models import (
    AccessLog,
    Device,
    DeviceSample,
    HotspotLog,
    InterfaceStat,
    IpPool,
    Onu,
    OnuOpticsSample,
    PonPort,
    PppAuthLog,
    RadioStation,
    RouterLog,
    StatusCheck,
    SubscriberSession,
    ZabbixHost,
    ZabbixProblem,
)
from tests.factories import NOW
from tests.integration.api.world import World

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Net:
    """Ids of what was built; ``*_a`` rows belong to operator A's customers, ``*_b`` to B's."""

    routers: tuple[int, int]
    olts: tuple[int, int]
    ubiquiti: int
    cambium: int
    zabbix: int
    pools: tuple[int, int]
    onus_a: tuple[int, int]
    onu_b: int
    onu_free: int
    hosts: tuple[int, int]
    problems_open: tuple[int, int]
    problem_resolved: int
    checks: tuple[int, int, int]
    sessions_a: tuple[int, ...]
    session_b: int
    session_ended: int
    hotspot_a: int
    hotspot_b: int
    ppp_a: tuple[int, ...]
    ppp_b: int
    ppp_free: int
    router_logs: tuple[int, int]
    access_logs: tuple[int, int]
    suspension_a: int
    suspension_b: int
    run: int


def _add(s: Session, row: Any) -> int:
    s.add(row)
    s.flush()
    return int(row.id)


def device(s: Session, name: str, kind: ce.DeviceKind, vendor: ce.Vendor, status: ce.DeviceStatus,
           **kw: Any) -> int:
    """A device with (sealed) secrets in place, as the inventory import leaves it."""
    return _add(s, Device(name=name, kind=kind, vendor=vendor, status=status, host=f"10.0.0.{len(name)}",
                          username="ispnoc", password_enc="SEALED-PASSWORD",
                          snmp_community_enc="SEALED-COMMUNITY", enabled=True, details={},
                          consecutive_failures=0, created_at=NOW, **kw))


def onu(s: Session, olt: int, index: int, status: ce.OnuStatus, rx: float | None,
        customer: int | None) -> int:
    return _add(s, Onu(olt_id=olt, pon="0/1/1", onu_index=index, serial=f"HWTC{index:08d}", status=status,
                       rx_dbm=rx, tx_dbm=2.0, customer_id=customer, last_seen_at=NOW, updated_at=NOW))


def _devices(s: Session) -> dict[str, int]:
    d = ce.DeviceKind
    ids = {"r1": device(s, "core-rt1", d.ROUTER, ce.Vendor.MIKROTIK, ce.DeviceStatus.UP, site="Dhanmondi"),
           "r2": device(s, "edge-rt2", d.ROUTER, ce.Vendor.MIKROTIK, ce.DeviceStatus.DOWN,
                        last_error="timeout"),
           "o1": device(s, "olt-gulshan", d.OLT, ce.Vendor.HUAWEI, ce.DeviceStatus.UP),
           "o2": device(s, "olt-mirpur", d.OLT, ce.Vendor.ZTE, ce.DeviceStatus.UP),
           "u1": device(s, "ap-banani-1", d.RADIO, ce.Vendor.UBIQUITI, ce.DeviceStatus.UP),
           "c1": device(s, "ap-uttara-1", d.RADIO, ce.Vendor.CAMBIUM, ce.DeviceStatus.DOWN),
           "z": device(s, "zabbix", d.ZABBIX, ce.Vendor.ZABBIX, ce.DeviceStatus.UP)}
    s.add_all([InterfaceStat(device_id=ids["r1"], name=n, running=True, rx_bytes=10, tx_bytes=20, rx_bps=1e6,
                             tx_bps=2e5, sampled_at=NOW) for n in ("ether1", "sfp1")])
    ids["p1"] = _add(s, IpPool(device_id=ids["r1"], name="pppoe-pool", ranges="100.64.0.2-100.64.0.201",
                               size=200, used=50, updated_at=NOW))
    ids["p2"] = _add(s, IpPool(device_id=ids["r2"], name="hotspot-pool", ranges="10.5.50.2-10.5.50.254",
                               size=0, used=0, updated_at=NOW))
    s.add_all([PonPort(olt_id=ids["o1"], name=n, onus_total=2, onus_online=1, updated_at=NOW)
               for n in ("0/1/1", "0/1/2")])
    s.add_all([RadioStation(device_id=ids["u1"], mac=f"24:5A:4C:00:00:0{n}", signal_dbm=-50.0 - 10 * n,
                            updated_at=NOW) for n in (1, 2)]
              + [RadioStation(device_id=ids["c1"], mac="00:04:56:00:00:01", signal_dbm=-70.0,
                              updated_at=NOW)])
    for n in range(4):
        s.add_all([DeviceSample(device_id=ids["r1"], at=NOW - n * HOUR, metric="cpu", value=10.0 + n),
                   DeviceSample(device_id=ids["r1"], at=NOW - n * HOUR, metric="rx_bps", value=1e6 * n)])
    s.add(DeviceSample(device_id=ids["r1"], at=NOW - 30 * HOUR, metric="cpu", value=99.0))
    return ids


def _zabbix(s: Session, ids: dict[str, int]) -> tuple[tuple[int, int], tuple[int, int], int]:
    hosts = (_add(s, ZabbixHost(server_id=ids["z"], hostid="10084", host="core-rt1", name="Core router 1",
                                available=True, groups=["Routers"], device_id=ids["r1"], updated_at=NOW)),
             _add(s, ZabbixHost(server_id=ids["z"], hostid="10085", host="olt-mirpur", name="OLT Mirpur",
                                available=False, groups=[], updated_at=NOW)))

    def problem(eventid: str, hostid: str, severity: int, ago: int, resolved: bool = False) -> int:
        return _add(s, ZabbixProblem(server_id=ids["z"], eventid=eventid, triggerid="t" + eventid,
                                     hostid=hostid, name=f"Problem {eventid}", severity=severity,
                                     acknowledged=False, tags=[], started_at=NOW - ago * HOUR,
                                     resolved_at=NOW if resolved else None))

    opened = (problem("1", "10084", 4, 1), problem("2", "10085", 5, 2))
    return hosts, opened, problem("3", "10084", 2, 3, resolved=True)


def _sessions(s: Session, ids: dict[str, int], w: World) -> tuple[tuple[int, ...], int, int]:
    def session(kind: ce.SessionKind, customer: int | None, user: str, ended: bool = False) -> int:
        return _add(s, SubscriberSession(device_id=ids["r1"], kind=kind, router_ref="*1", username=user,
                                         customer_id=customer, address="100.64.0.9", started_at=NOW - HOUR,
                                         last_seen_at=NOW, ended_at=NOW if ended else None))

    a = (session(ce.SessionKind.PPP, w.a.customers[0], "alice"),
         session(ce.SessionKind.HOTSPOT, w.a.customers[1], "cafe-1"))
    b = session(ce.SessionKind.PPP, w.b.customers[0], "bob")
    return a, b, session(ce.SessionKind.PPP, w.a.customers[0], "alice", ended=True)


def _logs(s: Session, ids: dict[str, int], w: World) -> dict[str, Any]:
    r1 = ids["r1"]

    def ppp(customer: int | None, user: str, event: ce.PppEvent, ago: int) -> int:
        return _add(s, PppAuthLog(device_id=r1, at=NOW - ago * HOUR, message=f"{user}: {event}", event=event,
                                  username=user, customer_id=customer))

    def hotspot(customer: int | None, user: str, ago: int) -> int:
        return _add(s, HotspotLog(device_id=r1, at=NOW - ago * HOUR, message=f"{user}: logged in",
                                  event=ce.HotspotEvent.LOGGED_IN, username=user, customer_id=customer))

    return {
        "ppp_a": (ppp(w.a.customers[0], "alice", ce.PppEvent.AUTHENTICATED, 1),
                  ppp(w.a.customers[0], "alice", ce.PppEvent.AUTH_FAILED, 2)),
        "ppp_b": ppp(w.b.customers[0], "bob", ce.PppEvent.AUTHENTICATED, 3),
        "ppp_free": ppp(None, "nobody", ce.PppEvent.AUTH_FAILED, 4),
        "hotspot_a": hotspot(w.a.customers[1], "cafe-1", 1),
        "hotspot_b": hotspot(w.b.customers[1], "cafe-2", 2),
        "router_logs": (_add(s, RouterLog(device_id=r1, at=NOW - HOUR, message="pppoe-alice: connected",
                                          topics="pppoe,info")),
                        _add(s, RouterLog(device_id=ids["r2"], at=NOW - 3 * HOUR,
                                          message="interface ether1 link down", topics="interface,info"))),
        "access_logs": (_add(s, AccessLog(device_id=r1, at=NOW - HOUR, message="admin logged in via winbox",
                                          user="admin", via="winbox", event="login")),
                        _add(s, AccessLog(device_id=r1, at=NOW - 2 * HOUR, message="noc logged in via ssh",
                                          user="noc", via="ssh", event="login"))),
    }


def _suspensions(s: Session, w: World) -> tuple[int, int, int]:
    s.add(SuspensionRun(started_at=NOW - 48 * HOUR, finished_at=NOW - 48 * HOUR, status=RunStatus.COMPLETED,
                        trigger="cli", suspended=0, reactivated=0, applied=0, failed=0))
    run = _add(s, SuspensionRun(started_at=NOW - HOUR, finished_at=NOW - HOUR, status=RunStatus.COMPLETED,
                                trigger="cli", suspended=2, reactivated=0, applied=2, failed=0))

    def log(customer: int) -> int:
        return _add(s, SuspensionLog(run_id=run, customer_id=customer, action=SuspensionAction.SUSPEND,
                                     reason="overdue", bill_ids=[], amount_due=Decimal("1500.00"),
                                     created_at=NOW - HOUR))

    return run, log(w.a.customers[1]), log(w.b.customers[1])


def build_network(s: Session, w: World) -> Net:
    """The network; ONU optics samples for A's first ONU every hour of the last 30 hours."""
    ids = _devices(s)
    onus_a = (onu(s, ids["o1"], 1, ce.OnuStatus.ONLINE, -20.5, w.a.customers[0]),
              onu(s, ids["o1"], 2, ce.OnuStatus.ONLINE, -28.5, w.a.customers[1]))
    onu_b = onu(s, ids["o2"], 3, ce.OnuStatus.OFFLINE, None, w.b.customers[0])
    onu_free = onu(s, ids["o1"], 4, ce.OnuStatus.ONLINE, -30.0, None)
    s.add_all([OnuOpticsSample(onu_id=onus_a[0], at=NOW - n * HOUR, rx_dbm=-20.0 - n / 10, tx_dbm=2.0)
               for n in range(30)])
    hosts, opened, resolved = _zabbix(s, ids)
    checks = tuple(_add(s, StatusCheck(name=f"check-{n}", kind=ce.CheckKind.ICMP, target="203.0.113.1", up=up,
                                       checked_at=NOW if up is not None else None))
                   for n, up in enumerate((True, False, None)))
    sessions_a, session_b, ended = _sessions(s, ids, w)
    logs = _logs(s, ids, w)
    run, susp_a, susp_b = _suspensions(s, w)
    return Net(routers=(ids["r1"], ids["r2"]), olts=(ids["o1"], ids["o2"]), ubiquiti=ids["u1"],
               cambium=ids["c1"], zabbix=ids["z"],
               pools=(ids["p1"], ids["p2"]), onus_a=onus_a, onu_b=onu_b, onu_free=onu_free, hosts=hosts,
               problems_open=opened, problem_resolved=resolved, checks=checks,  # type: ignore[arg-type]
               sessions_a=sessions_a, session_b=session_b, session_ended=ended, run=run, suspension_a=susp_a,
               suspension_b=susp_b, **logs)
