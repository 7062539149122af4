"""What a simulated Zabbix server knows: users, sessions, hosts, groups, triggers and problems.

Problems belong to triggers (``objectid``), never to hosts directly; a trigger names its hosts.
The clock is the server's own (epoch seconds, starting at the wall clock); ``tick()`` moves it on
and, seeded, opens, acknowledges and resolves problems as a real installation would.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from device_fixtures.zabbix.dialect import Dialect, dialect_for

SEVERITIES = ("not classified", "information", "warning", "average", "high", "disaster")
ACK_ACTION_ACKNOWLEDGE = 2
ACK_ACTION_MESSAGE = 4
INTERFACE_AGENT, INTERFACE_SNMP = 1, 2


@dataclass
class User:
    """A frontend user; ``type`` 3 is Super admin."""

    userid: str
    username: str
    password: str
    name: str = ""
    surname: str = ""
    roleid: str = "3"
    type: int = 3


@dataclass
class Interface:
    """A host interface (type 1 agent, 2 SNMP, 3 IPMI, 4 JMX); availability lives here since 5.2."""

    interfaceid: str
    ip: str
    dns: str = ""
    port: str = "161"
    type: int = INTERFACE_SNMP
    main: int = 1
    useip: int = 1
    available: int = 1
    details: dict[str, str] | list[Any] = field(default_factory=list)


@dataclass
class HostGroup:
    """A host group."""

    groupid: str
    name: str
    uuid: str = ""


@dataclass
class Host:
    """A monitored host: technical name ``host``, visible ``name``, status 0 monitored / 1 not."""

    hostid: str
    host: str
    name: str
    interfaces: list[Interface]
    groupids: list[str]
    tags: list[tuple[str, str]] = field(default_factory=list)
    status: int = 0
    description: str = ""
    maintenance_status: int = 0


@dataclass
class Trigger:
    """A trigger; ``description`` may hold {HOST.NAME}/{HOST.HOST} macros; value 1 is PROBLEM."""

    triggerid: str
    description: str
    expression: str
    priority: int
    hostids: list[str]
    tags: list[tuple[str, str]] = field(default_factory=list)
    value: int = 0
    lastchange: int = 0
    status: int = 0
    comments: str = ""


@dataclass
class Acknowledge:
    """One problem update (``action`` is a bit mask: 2 acknowledge, 4 message...)."""

    acknowledgeid: str
    userid: str
    clock: int
    message: str
    action: int
    old_severity: int = 0
    new_severity: int = 0


@dataclass
class Problem:
    """A problem event of a trigger; ``r_eventid`` "0" while unresolved."""

    eventid: str
    objectid: str
    name: str
    severity: int
    clock: int
    tags: list[tuple[str, str]] = field(default_factory=list)
    r_eventid: str = "0"
    r_clock: int = 0
    acknowledged: bool = False
    acknowledges: list[Acknowledge] = field(default_factory=list)
    suppressed: bool = False


@dataclass
class Session:
    """A login session (``user.login`` result) or the user behind an API token."""

    userid: str
    active: bool = True


def expand_host_macros(text: str, host: Host | None) -> str:
    """Replace {HOST.NAME} and {HOST.HOST} as Zabbix does when it expands a description."""
    if host is None:
        return text
    return text.replace("{HOST.NAME}", host.name).replace("{HOST.HOST}", host.host)


@dataclass
class ZabbixState:
    """Everything the server holds; guard reads and writes with ``lock``."""

    version: str = "6.0.25"
    users: dict[str, User] = field(
        default_factory=lambda: {"Admin": User("1", "Admin", "zabbix", "Zabbix", "Administrator")}
    )
    hosts: dict[str, Host] = field(default_factory=dict)
    groups: dict[str, HostGroup] = field(default_factory=dict)
    triggers: dict[str, Trigger] = field(default_factory=dict)
    problems: dict[str, Problem] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    clock: int = field(default_factory=lambda: int(time.time()))
    ok_period: int = 300
    seed: int = 0
    open_probability: float = 0.001
    resolve_probability: float = 0.05
    ack_probability: float = 0.05
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _next_eventid: int = field(default=1000, repr=False)
    _next_ackid: int = field(default=1, repr=False)
    _open_by_trigger: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        for problem in self.problems.values():
            if problem.r_eventid == "0":
                self._open_by_trigger[problem.objectid] = problem.eventid
        ids = [int(p.eventid) for p in self.problems.values()] + [
            int(p.r_eventid) for p in self.problems.values()
        ]
        self._next_eventid = max([self._next_eventid - 1, *ids]) + 1

    @property
    def dialect(self) -> Dialect:
        """The version-dependent API behaviour of this server."""
        return dialect_for(self.version)

    # ------------------------------------------------------------------ sessions
    def login(self, user: User) -> str:
        """Start a session for ``user`` and return its 32-hex id."""
        sessionid = secrets.token_hex(16)
        self.sessions[sessionid] = Session(user.userid)
        return sessionid

    def add_api_token(self, username: str) -> str:
        """Create an API token (64 hex characters, 5.4+) for a user and return it."""
        token = secrets.token_hex(32)
        self.sessions[token] = Session(self.users[username].userid)
        return token

    def terminate_sessions(self) -> None:
        """End every login session (as autologout or a frontend logout would)."""
        for session in self.sessions.values():
            session.active = False

    def user_by_id(self, userid: str) -> User | None:
        """The user with this id, if any."""
        return next((u for u in self.users.values() if u.userid == userid), None)

    # ------------------------------------------------------------------ problems
    def host_of(self, trigger: Trigger) -> Host | None:
        """The first host of a trigger (the one {HOST.NAME} refers to)."""
        return self.hosts.get(trigger.hostids[0]) if trigger.hostids else None

    def open_problem(self, triggerid: str, *, clock: int | None = None) -> Problem:
        """Fire a trigger: a new unresolved problem (or the one already open)."""
        with self.lock:
            if triggerid in self._open_by_trigger:
                return self.problems[self._open_by_trigger[triggerid]]
            trigger = self.triggers[triggerid]
            host = self.host_of(trigger)
            when = self.clock if clock is None else clock
            host_tags = host.tags if host is not None else []
            problem = Problem(
                eventid=self._eventid(),
                objectid=triggerid,
                name=expand_host_macros(trigger.description, host),
                severity=trigger.priority,
                clock=when,
                tags=[*trigger.tags, *host_tags],
                suppressed=host is not None and host.maintenance_status == 1,
            )
            self.problems[problem.eventid] = problem
            self._open_by_trigger[triggerid] = problem.eventid
            trigger.value, trigger.lastchange = 1, when
            return problem

    def resolve_problem(self, eventid: str) -> Problem:
        """Resolve a problem now: it gets a recovery event and its trigger goes OK."""
        with self.lock:
            problem = self.problems[eventid]
            if problem.r_eventid == "0":
                problem.r_eventid, problem.r_clock = self._eventid(), self.clock
                self._open_by_trigger.pop(problem.objectid, None)
                trigger = self.triggers.get(problem.objectid)
                if trigger is not None:
                    trigger.value, trigger.lastchange = 0, self.clock
            return problem

    def acknowledge(self, eventid: str, message: str = "", *, userid: str = "1") -> Acknowledge:
        """Acknowledge a problem (with a message when given), as event.acknowledge does."""
        with self.lock:
            problem = self.problems[eventid]
            action = ACK_ACTION_ACKNOWLEDGE | (ACK_ACTION_MESSAGE if message else 0)
            ack = Acknowledge(str(self._next_ackid), userid, self.clock, message, action)
            self._next_ackid += 1
            problem.acknowledges.append(ack)
            problem.acknowledged = True
            return ack

    def open_problems(self) -> list[Problem]:
        """The unresolved problems, oldest first."""
        return [self.problems[e] for e in self._open_by_trigger.values()]

    def tick(self, seconds: float = 60.0) -> None:
        """Let time pass: some problems resolve, some get acknowledged, some triggers fire.

        The probabilities are per minute: each open problem resolves with ``resolve_probability``,
        each unacknowledged one is acknowledged with ``ack_probability``, each trigger without a
        problem fires with ``open_probability``.
        """
        with self.lock:
            self.clock += int(seconds)
            rng, minutes = self._rng, seconds / 60.0
            p_resolve = 1.0 - (1.0 - self.resolve_probability) ** minutes
            p_ack = 1.0 - (1.0 - self.ack_probability) ** minutes
            for problem in self.open_problems():
                if rng.random() < p_resolve:
                    self.resolve_problem(problem.eventid)
                elif not problem.acknowledged and rng.random() < p_ack:
                    self.acknowledge(problem.eventid, "Looking into it")
            triggerids = list(self.triggers)
            expected = self.open_probability * len(triggerids) * minutes
            fires = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for triggerid in rng.sample(triggerids, min(fires, len(triggerids))):
                self.open_problem(triggerid)
            self._forget_old()

    def _forget_old(self) -> None:
        horizon = self.clock - self.ok_period
        for eventid in [e for e, p in self.problems.items() if p.r_eventid != "0" and p.r_clock < horizon]:
            del self.problems[eventid]

    def _eventid(self) -> str:
        eventid = self._next_eventid
        self._next_eventid += 1
        return str(eventid)


# ---------------------------------------------------------------------------- the factory
# (keyword in the host name, group, role): the first match wins.
ROLES = (
    ("olt", "OLTs", "olt"),
    ("rtr", "Routers", "router"),
    ("router", "Routers", "router"),
    ("core", "Routers", "router"),
    ("ccr", "Routers", "router"),
    ("ap-", "Radios", "radio"),
    ("radio", "Radios", "radio"),
    ("ptp", "Radios", "radio"),
    ("sw", "Switches", "switch"),
)
DEFAULT_ROLE = ("ISP devices", "device")
SITES = ("hq", "north", "south", "east", "west")
# (description, expression, priority, scope tag) created on every host, as a template would.
TRIGGER_TEMPLATES = (
    ("{HOST.NAME} is unavailable by ICMP", "max(/{HOST.HOST}/icmpping,#3)=0", 4, "availability"),
    ("High ICMP ping loss", "min(/{HOST.HOST}/icmppingloss,5m)>20", 2, "performance"),
    ("High ICMP ping response time", "avg(/{HOST.HOST}/icmppingsec,5m)>0.15", 2, "performance"),
    ("{HOST.NAME} has been restarted (uptime < 10m)", "last(/{HOST.HOST}/system.uptime)<10m", 1, "notice"),
    (
        "Uplink interface on {HOST.NAME}: Link down",
        "last(/{HOST.HOST}/net.if.status[uplink])=2",
        3,
        "availability",
    ),
)


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _role_of(name: str) -> tuple[str, str]:
    lowered = name.lower()
    return next(((group, role) for key, group, role in ROLES if key in lowered), DEFAULT_ROLE)


def _add_host(state: ZabbixState, name: str, ip: str, rng: random.Random) -> Host:
    group_name, role = _role_of(name)
    group = next((g for g in state.groups.values() if g.name == group_name), None)
    if group is None:
        group = HostGroup(str(20 + len(state.groups)), group_name, _uuid(rng))
        state.groups[group.groupid] = group
    hostid = str(10500 + len(state.hosts))
    details = {"version": "2", "bulk": "1", "community": "{$SNMP_COMMUNITY}"}
    interface = Interface(str(len(state.hosts) + 1), ip, details=details)
    tags = [("role", role), ("site", rng.choice(SITES))]
    host = Host(hostid, name, name, [interface], [group.groupid], tags)
    state.hosts[hostid] = host
    return host


def _add_triggers(state: ZabbixState, host: Host, rng: random.Random) -> None:
    for description, expression, priority, scope in TRIGGER_TEMPLATES:
        triggerid = str(20000 + len(state.triggers))
        if priority == 4 and ("role", "router") in host.tags:
            priority = 5  # a core router down is a disaster
        state.triggers[triggerid] = Trigger(
            triggerid,
            description,
            expression.replace("{HOST.HOST}", host.host),
            priority,
            [host.hostid],
            [("scope", scope)],
            lastchange=state.clock - rng.randint(3600, 30 * 86400),
        )


def make_zabbix_state(
    hosts: list[tuple[str, str]], seed: int = 0, problems: int = 10, *, version: str = "6.0.25"
) -> ZabbixState:
    """A server monitoring ``hosts`` (name, ip) with ``problems`` open problems, reproducible by seed."""
    rng = random.Random(seed)
    state = ZabbixState(version=version, seed=seed)
    state.groups["2"] = HostGroup("2", "Linux servers", _uuid(rng))
    for name, ip in hosts:
        host = _add_host(state, name, ip, rng)
        _add_triggers(state, host, rng)
    fired = rng.sample(list(state.triggers), min(problems, len(state.triggers)))
    clocks = sorted(state.clock - rng.randint(60, 6 * 3600) for _ in fired)
    for triggerid, clock in zip(fired, clocks, strict=True):
        problem = state.open_problem(triggerid, clock=clock)
        if rng.random() < 0.3:
            state.acknowledge(problem.eventid, rng.choice(("Ticket opened", "Crew dispatched", "")))
            problem.acknowledges[-1].clock = problem.clock + rng.randint(30, 600)
    return state
