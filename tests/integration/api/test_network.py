"""Network, monitoring and log lists as data on one base case (netbox style): URL, fields, who sees
which rows, filters, bad filters, and a pinned query count per list (no N+1)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from sqlalchemy import event

from tests.integration.api.conftest import Api
from tests.integration.api.network_world import Net, build_network
from tests.integration.api.world import World

DEVICE = {"id", "name", "kind", "vendor", "model", "site", "host", "enabled", "status", "identity", "version",
          "uptime_s", "cpu_load", "last_polled_at", "last_success_at", "last_error", "consecutive_failures"}
ONU = {"id", "olt_id", "pon", "onu_index", "serial", "mac", "description", "model", "status",
       "last_down_cause", "rx_dbm", "tx_dbm", "olt_rx_dbm", "distance_m", "temperature_c", "low_optics",
       "customer_id", "last_seen_at", "updated_at"}
LOG = {"id", "device_id", "at", "message"}
PROBLEM = {"id", "server_id", "eventid", "triggerid", "hostid", "host", "device_id", "name", "severity",
           "severity_name", "acknowledged", "tags", "started_at", "resolved_at"}
CHECK = {"id", "name", "kind", "target", "port", "device_id", "status", "latency_ms", "last_error",
         "checked_at"}
SESSION = {"id", "device_id", "kind", "username", "customer_id", "address", "caller_id", "bytes_in",
           "bytes_out", "started_at", "last_seen_at", "ended_at"}
SUSPENSION = {"id", "run_id", "customer_id", "action", "reason", "bill_ids", "amount_due", "created_at"}
API_TABLE = re.compile(r"\b(FROM|INTO|UPDATE|JOIN)\s+\"?api_", re.IGNORECASE)
Ids = Callable[[Net], set[int]]
Filter = tuple[dict[str, Any], Ids]


@pytest.fixture
def net(api: Api, world: World) -> Net:
    with api.db() as s:
        return build_network(s, world)


@contextmanager
def counted(api: Api) -> Iterator[list[str]]:
    """Statements the request runs on the store's own tables (auth and the request log left out)."""
    engine = api.sessions.kw["bind"]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not API_TABLE.search(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


class NetCase:
    """A list: URL, fields, the ids an unscoped caller sees, what operator A's client sees (None: a
    403, the ISP's own network), filters with the ids they leave, bad filters and the query count."""

    version: ClassVar[str] = "v2"
    url: ClassVar[str]
    fields: ClassVar[set[str]]
    every: ClassVar[staticmethod[[Net], set[int]]]
    own: ClassVar[staticmethod[[Net], set[int]] | None] = None
    filters: ClassVar[list[Filter]] = []
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"per_page": 0}, "per_page")]
    queries: ClassVar[int]

    def get(self, api: Api, role: str = "noc", params: dict[str, Any] | None = None, **token: Any) -> Any:
        headers = api.auth(api.token(self.version, role, **token))
        return api.http.get(self.url, params=params or {}, headers=headers)

    def ids(self, response: Any) -> set[int]:
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["data"]}

    def test_list_shape_paging_and_query_count(self, api: Api, net: Net) -> None:
        r = self.get(api, "read-only")
        assert self.ids(r) == self.every(net)
        body = r.json()
        assert set(body) == {"data", "meta"} and body["meta"]["total"] == len(self.every(net))
        assert all(set(item) == self.fields for item in body["data"])
        assert "SEALED" not in r.text and "password" not in r.text and "community" not in r.text
        token = api.auth(api.token(self.version, "admin"))
        second = api.http.get(self.url, params={"per_page": 1, "page": 2}, headers=token).json()
        assert len(second["data"]) == min(1, len(self.every(net)) - 1)
        meta = (second["meta"]["current_page"], second["meta"]["per_page"], second["meta"]["last_page"])
        assert meta == (2, 1, max(1, len(self.every(net))))
        with counted(api) as seen:
            assert api.http.get(self.url, headers=token).status_code == 200
        assert len(seen) == self.queries, seen

    def test_scoped_caller(self, api: Api, world: World, net: Net) -> None:
        r = self.get(api, "admin", operator_id=world.a.operator)
        if self.own is None:
            assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN"
        else:
            assert self.ids(r) == self.own(net) and r.json()["meta"]["total"] == len(self.own(net))

    def test_filters_and_bad_filters(self, api: Api, net: Net) -> None:
        token = api.auth(api.token(self.version, "noc"))
        for params, expected in self.filters:
            r = api.http.get(self.url, params=params, headers=token)
            assert self.ids(r) == expected(net), params
        for params, field in self.bad:
            r = api.http.get(self.url, params=params, headers=token)
            assert r.status_code == 422, (params, r.text)
            error = r.json()["error"]
            assert error["code"] == "VALIDATION_ERROR" and field in error["details"], (params, error)


TIME = {"from": "2026-05-15T10:30:00Z", "to": "2026-05-15T12:00:00Z"}
NAIVE = [({"from": "2026-05-15T10:30:00"}, "from"),
         ({"from": "2026-05-15T12:00:00Z", "to": "2026-05-15T11:00:00Z"}, "to"),
         ({"device": "no-such-router"}, "device")]


class TestV2Routers(NetCase):
    url, fields, queries = "/api/v2/network/routers", DEVICE | {"active_sessions"}, 4
    every = staticmethod(lambda n: set(n.routers))
    filters: ClassVar[list[Filter]] = [({"status": "down"}, lambda n: {n.routers[1]}),
                                       ({"q": "CORE"}, lambda n: {n.routers[0]}),
                                       ({"site": "Dhanmondi"}, lambda n: {n.routers[0]}),
                                       ({"vendor": "huawei"}, lambda n: set())]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"status": "sideways"}, "status"), ({"q": ""}, "q")]


class TestV1Routers(TestV2Routers):
    version, url = "v1", "/api/v1/routers"


class TestV2Olts(NetCase):
    url, fields, queries = "/api/v2/network/olts", DEVICE | {"pon_ports", "onus"}, 5
    every = staticmethod(lambda n: set(n.olts))
    filters: ClassVar[list[Filter]] = [({"vendor": "zte"}, lambda n: {n.olts[1]})]


class TestV1Olts(TestV2Olts):
    version, url = "v1", "/api/v1/olts"


class TestV1Ubiquiti(NetCase):
    version, url, fields, queries = "v1", "/api/v1/monitoring/ubiquiti", DEVICE | {"stations"}, 4
    every = staticmethod(lambda n: {n.ubiquiti})


class TestV1Cambium(NetCase):
    version, url, fields, queries = "v1", "/api/v1/monitoring/cambium", DEVICE | {"stations"}, 4
    every = staticmethod(lambda n: {n.cambium})
    filters: ClassVar[list[Filter]] = [({"status": "up"}, lambda n: set())]


class TestV2Devices(NetCase):
    url, fields, queries = "/api/v2/monitoring/devices", DEVICE, 3
    every = staticmethod(lambda n: {*n.routers, *n.olts, n.ubiquiti, n.cambium, n.zabbix})
    filters: ClassVar[list[Filter]] = [({"kind": "radio"}, lambda n: {n.ubiquiti, n.cambium}),
                                       ({"kind": "radio", "status": "down"}, lambda n: {n.cambium})]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"kind": "toaster"}, "kind")]


class TestV2Onus(NetCase):
    url, fields, queries = "/api/v2/network/onus", ONU, 3
    every = staticmethod(lambda n: {*n.onus_a, n.onu_b, n.onu_free})
    own = staticmethod(lambda n: set(n.onus_a))
    filters: ClassVar[list[Filter]] = [
        ({"rx_below": -27}, lambda n: {n.onus_a[1], n.onu_free}),
        ({"status": "offline"}, lambda n: {n.onu_b}),
        ({"device": "olt-mirpur"}, lambda n: {n.onu_b}), ({"q": "hwtc00000001"}, lambda n: {n.onus_a[0]})]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"rx_below": "low"}, "rx_below"),
                                                       ({"rx_below": -99}, "rx_below"),
                                                       ({"device": "nope"}, "device")]


class TestV1Onus(TestV2Onus):
    version, url = "v1", "/api/v1/monitoring/onus"


class TestV2Pools(NetCase):
    url, queries = "/api/v2/network/pools", 3
    fields: ClassVar[set[str]] = {"id", "device_id", "name", "ranges", "size", "used", "free", "used_pct",
                                  "updated_at"}
    every = staticmethod(lambda n: set(n.pools))
    filters: ClassVar[list[Filter]] = [({"device": "edge-rt2"}, lambda n: {n.pools[1]}),
                                       ({"q": "PPPOE"}, lambda n: {n.pools[0]})]


class TestV2Sessions(NetCase):
    url, fields, queries = "/api/v2/network/sessions", SESSION, 3
    every = staticmethod(lambda n: {*n.sessions_a, n.session_b})
    own = staticmethod(lambda n: set(n.sessions_a))
    filters: ClassVar[list[Filter]] = [({"status": "ended"}, lambda n: {n.session_ended}),
                                       ({"kind": "hotspot"}, lambda n: {n.sessions_a[1]}),
                                       ({"q": "bob"}, lambda n: {n.session_b})]


class TestV2ZabbixHosts(NetCase):
    url, queries = "/api/v2/monitoring/zabbix/hosts", 4
    fields: ClassVar[set[str]] = {"id", "server_id", "hostid", "host", "name", "ip", "available", "groups",
                                  "device_id", "open_problems", "updated_at"}
    every = staticmethod(lambda n: set(n.hosts))
    filters: ClassVar[list[Filter]] = [({"available": "false"}, lambda n: {n.hosts[1]}),
                                       ({"device": "core-rt1"}, lambda n: {n.hosts[0]})]


class TestV2ZabbixProblems(NetCase):
    url, fields, queries = "/api/v2/monitoring/zabbix/problems", PROBLEM, 2
    every = staticmethod(lambda n: set(n.problems_open))
    filters: ClassVar[list[Filter]] = [
        ({"status": "all"}, lambda n: {*n.problems_open, n.problem_resolved}),
        ({"status": "resolved"}, lambda n: {n.problem_resolved}),
        ({"severity": "high"}, lambda n: {n.problems_open[0]}),
        ({"min_severity": "disaster"}, lambda n: {n.problems_open[1]}),
        ({"from": "2026-05-15T10:30:00+00:00"}, lambda n: {n.problems_open[0]}),
        ({"device": "core-rt1", "status": "all"}, lambda n: {n.problems_open[0], n.problem_resolved})]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"severity": "5"}, "severity"), *NAIVE]


class TestV1Zabbix(TestV2ZabbixProblems):
    version, url = "v1", "/api/v1/monitoring/zabbix"


class TestV2StatusChecks(NetCase):
    url, fields, queries = "/api/v2/monitoring/status-checks", CHECK, 3
    every = staticmethod(lambda n: set(n.checks))
    filters: ClassVar[list[Filter]] = [({"status": "up"}, lambda n: {n.checks[0]}),
                                       ({"status": "down"}, lambda n: {n.checks[1]}),
                                       ({"status": "unknown"}, lambda n: {n.checks[2]})]


class TestV1StatusChecks(TestV2StatusChecks):
    version, url = "v1", "/api/v1/monitoring/status-checks"


class TestV1AccessLogs(NetCase):
    version, url, fields, queries = "v1", "/api/v1/monitoring/access-logs", LOG | {"user", "address", "via",
                                                                                     "event"}, 3
    every = staticmethod(lambda n: set(n.access_logs))
    filters: ClassVar[list[Filter]] = [({"q": "ssh"}, lambda n: {n.access_logs[1]}),
                                       (TIME, lambda n: {n.access_logs[0]})]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = NAIVE


class TestV2AccessLogs(TestV1AccessLogs):
    version, url = "v2", "/api/v2/logs/access"


class TestV1RouterLogs(NetCase):
    version, url, fields, queries = "v1", "/api/v1/logs/router", LOG | {"topics", "source_ip"}, 3
    every = staticmethod(lambda n: set(n.router_logs))
    filters: ClassVar[list[Filter]] = [({"device": "edge-rt2"}, lambda n: {n.router_logs[1]}),
                                       (TIME, lambda n: {n.router_logs[0]}), ({"q": "LINK DOWN"},
                                                                              lambda n: {n.router_logs[1]})]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = NAIVE


class TestV2RouterLogs(TestV1RouterLogs):
    version, url = "v2", "/api/v2/logs/router"


class TestV1HotspotLogs(NetCase):
    version, url, queries = "v1", "/api/v1/logs/hotspot", 3
    fields: ClassVar[set[str]] = LOG | {"event", "username", "address", "customer_id"}
    every = staticmethod(lambda n: {n.hotspot_a, n.hotspot_b})
    own = staticmethod(lambda n: {n.hotspot_a})
    filters: ClassVar[list[Filter]] = [(TIME, lambda n: {n.hotspot_a}),
                                       ({"event": "logged_out"}, lambda n: set())]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"event": "teleported"}, "event"), *NAIVE]


class TestV2HotspotLogs(TestV1HotspotLogs):
    version, url = "v2", "/api/v2/logs/hotspot"


class TestV1PppLogs(NetCase):
    version, url, queries = "v1", "/api/v1/logs/ppp-auth", 3
    fields: ClassVar[set[str]] = LOG | {"event", "username", "interface", "customer_id"}
    every = staticmethod(lambda n: {*n.ppp_a, n.ppp_b, n.ppp_free})
    own = staticmethod(lambda n: set(n.ppp_a))
    filters: ClassVar[list[Filter]] = [({"event": "auth_failed"}, lambda n: {n.ppp_a[1], n.ppp_free}),
                                       ({"q": "ALICE"}, lambda n: set(n.ppp_a))]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"customer_id": 0}, "customer_id"), *NAIVE]


class TestV2PppLogs(TestV1PppLogs):
    version, url = "v2", "/api/v2/logs/ppp-auth"


class TestV1SuspensionLogs(NetCase):
    version, url, fields, queries = "v1", "/api/v1/logs/auto-suspension", SUSPENSION, 3
    every = staticmethod(lambda n: {n.suspension_a, n.suspension_b})
    own = staticmethod(lambda n: {n.suspension_a})
    filters: ClassVar[list[Filter]] = [({"action": "reactivate"}, lambda n: set()),
                                       ({"from": "2026-05-15T11:30:00Z"}, lambda n: set())]
    bad: ClassVar[list[tuple[dict[str, Any], str]]] = [({"action": "explode"}, "action"), *NAIVE[:2]]


class TestV2SuspensionLogs(TestV1SuspensionLogs):
    version, url = "v2", "/api/v2/logs/auto-suspension"
