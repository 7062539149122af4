"""The NOC dashboard, single records (router, ONU) and chart history, roles and scope on them."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.network_world import Net
from tests.integration.api.test_network import counted, net
from tests.integration.api.world import World

__all__ = ["net"]  # the fixture, shared with the list tests


def get(api: Api, path: str, version: str = "v2", role: str = "noc", **kw: Any) -> Any:
    params = kw.pop("params", None)
    return api.http.get(path, params=params, headers=api.auth(api.token(version, role, **kw)))


def test_noc_dashboard(api: Api, world: World, net: Net) -> None:
    r = get(api, "/api/v1/noc/dashboard", "v1")
    assert r.status_code == 200, r.text
    body = r.json()["data"]
    assert body["devices"]["router"] == {"up": 1, "down": 1, "unknown": 0}
    assert body["devices"]["radio"] == {"up": 1, "down": 1, "unknown": 0}
    assert body["devices"]["olt"]["up"] == 2 and body["devices"]["zabbix"]["up"] == 1
    assert body["onus"] == {"total": 4, "online": 3, "offline": 1, "low_optics": 2, "low_optics_dbm": -27.0}
    assert body["active_sessions"] == {"ppp": 2, "hotspot": 1}
    assert body["zabbix_problems"] == {"not_classified": 0, "information": 0, "warning": 0, "average": 0,
                                       "high": 1, "disaster": 1}
    run = body["last_suspension_run"]
    assert (run["id"], run["suspended"], run["status"]) == (net.run, 2, "completed")
    assert body["collections_today"] == {"amount": 1001, "count": 2}  # one 500.50 payment per operator


def test_noc_dashboard_query_count_and_who_may_see_it(api: Api, world: World, net: Net) -> None:
    token = api.auth(api.token("v1", "read-only"))
    with counted(api) as seen:
        assert api.http.get("/api/v1/noc/dashboard", headers=token).status_code == 200
    assert len(seen) == 6, seen
    assert get(api, "/api/v1/noc/dashboard", "v1", "billing").status_code == 403
    assert get(api, "/api/v1/noc/dashboard", "v1", "admin", operator_id=world.a.operator).status_code == 403


def test_the_low_optics_threshold_comes_from_the_settings(api: Api, net: Net) -> None:
    api.http.app.state.runtime.settings = make_settings(low_optics_dbm=-20.0)  # type: ignore[attr-defined]
    onus = get(api, "/api/v2/network/onus").json()["data"]
    assert {o["id"] for o in onus if o["low_optics"]} == {*net.onus_a, net.onu_free}
    dash = get(api, "/api/v1/noc/dashboard", "v1").json()["data"]["onus"]
    assert (dash["low_optics"], dash["low_optics_dbm"]) == (3, -20.0)
    olts = get(api, "/api/v2/network/olts").json()["data"]
    assert {o["name"]: o["onus"] for o in olts}["olt-gulshan"] == {"total": 3, "online": 3, "low_optics": 3}


def test_router_detail(api: Api, net: Net) -> None:
    token = api.auth(api.token("v2", "read-only"))
    with counted(api) as seen:
        r = api.http.get(f"/api/v2/network/routers/{net.routers[0]}", headers=token)
    assert r.status_code == 200 and len(seen) == 4, seen
    body = r.json()["data"]
    assert [i["name"] for i in body["interfaces"]] == ["ether1", "sfp1"]
    assert [(p["name"], p["used_pct"], p["free"]) for p in body["pools"]] == [("pppoe-pool", 25.0, 150)]
    assert body["active_sessions"] == {"ppp": 2, "hotspot": 1} and body["username"] == "ispnoc"
    assert "SEALED" not in r.text
    for missing in (net.olts[0], 999_999):
        gone = api.http.get(f"/api/v2/network/routers/{missing}", headers=token)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "NOT_FOUND"


def test_onu_detail_with_the_last_day_of_optics(api: Api, world: World, net: Net) -> None:
    r = get(api, f"/api/v2/network/onus/{net.onus_a[0]}", role="billing", operator_id=world.a.operator)
    assert r.status_code == 200, r.text
    body = r.json()["data"]
    assert (body["customer_id"], body["low_optics"], body["rx_dbm"]) == (world.a.customers[0], False, -20.5)
    times = [p["at"] for p in body["optics"]]
    assert len(times) == 25 and times == sorted(times) and times[-1] == "2026-05-15T12:00:00Z"
    for hidden in (net.onu_b, net.onu_free):
        r = get(api, f"/api/v2/network/onus/{hidden}", operator_id=world.a.operator)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
        assert get(api, f"/api/v2/network/onus/{hidden}").status_code == 200


def test_onu_optics_for_a_chart(api: Api, world: World, net: Net) -> None:
    path = f"/api/v2/network/onus/{net.onus_a[0]}/optics"
    r = get(api, path, params={"from": "2026-05-15T09:00:00Z", "to": "2026-05-15T11:00:00+00:00"})
    body = r.json()["data"]
    assert (body["from"], body["to"]) == ("2026-05-15T09:00:00Z", "2026-05-15T11:00:00Z")
    assert [p["rx_dbm"] for p in body["points"]] == [-20.3, -20.2, -20.1]
    assert len(get(api, path).json()["data"]["points"]) == 25
    for params, field in (({"from": "2026-05-15T09:00:00"}, "from"),
                          ({"from": "2026-03-01T00:00:00Z", "to": "2026-05-15T00:00:00Z"}, "from"),
                          ({"from": "2026-05-15T09:00:00Z", "to": "2026-05-14T00:00:00Z"}, "to")):
        bad = get(api, path, params=params)
        assert bad.status_code == 422 and field in bad.json()["error"]["details"], bad.text
    other = get(api, f"/api/v2/network/onus/{net.onu_b}/optics", operator_id=world.a.operator)
    assert other.status_code == 404


def test_device_samples_by_metric(api: Api, net: Net) -> None:
    path = f"/api/v2/monitoring/devices/{net.routers[0]}/samples"
    body = get(api, path, "v2", "read-only").json()["data"]
    assert [s["metric"] for s in body["series"]] == ["cpu", "rx_bps"] and body["truncated"] is False
    cpu = body["series"][0]["points"]
    assert [p["value"] for p in cpu] == [13.0, 12.0, 11.0, 10.0]  # the 30-hour-old sample is outside the day
    week = get(api, path, params={"metric": "cpu", "from": "2026-05-08T12:00:00Z"}).json()["data"]
    assert [s["metric"] for s in week["series"]] == ["cpu"] and len(week["series"][0]["points"]) == 5
    bad = get(api, path, params={"metric": "cpu; drop"})
    assert bad.status_code == 422 and "metric" in bad.json()["error"]["details"]
    assert get(api, "/api/v2/monitoring/devices/999999/samples").status_code == 404


def test_billing_staff_see_customers_network_state_not_the_network(api: Api, net: Net) -> None:
    for path in ("/api/v2/network/onus", "/api/v2/network/sessions", "/api/v2/logs/ppp-auth",
                 "/api/v2/logs/auto-suspension", f"/api/v2/network/onus/{net.onus_a[0]}"):
        assert get(api, path, role="billing").status_code == 200, path
    for path in ("/api/v2/network/routers", "/api/v2/monitoring/devices", "/api/v2/logs/router",
                 "/api/v2/monitoring/zabbix/problems", f"/api/v2/network/routers/{net.routers[0]}"):
        assert get(api, path, role="billing").status_code == 403, path


def test_a_customer_filter_of_another_operator_finds_nothing(api: Api, world: World, net: Net) -> None:
    r = get(api, "/api/v2/network/onus", params={"customer_id": world.b.customers[0]},
            operator_id=world.a.operator)
    assert r.status_code == 200 and r.json()["data"] == []
    mine = get(api, "/api/v2/logs/ppp-auth", params={"customer_id": world.a.customers[0]},
               operator_id=world.a.operator)
    assert {x["id"] for x in mine.json()["data"]} == set(net.ppp_a)


def test_edge_values_are_answered_not_500(api: Api, net: Net) -> None:
    token = api.auth(api.token("v2", "admin"))
    for path, params in (("/api/v2/logs/router", {"from": "0001-01-01T00:00:00+23:59"}),
                         ("/api/v2/logs/router", {"to": "9999-12-31T23:59:59-23:59"}),
                         ("/api/v2/network/onus", {"customer_id": 2**70}),
                         ("/api/v2/network/onus", {"device": "9" * 30}),
                         ("/api/v2/network/pools", {"q": "100%_\\"}),
                         (f"/api/v2/network/onus/{2**70}", {})):
        r = api.http.get(path, params=params, headers=token)
        assert r.status_code in (200, 404, 422), (path, r.text)
    assert api.http.get("/api/v2/network/pools", params={"q": "%"}, headers=token).json()["data"] == []


def test_openapi_documents_the_shapes_with_examples_and_the_filters(api: Api) -> None:
    schema = api.http.get("/openapi.json").json()
    models = schema["components"]["schemas"]
    for name in ("RouterRead", "RouterDetail", "OltRead", "RadioRead", "OnuRead", "OnuDetail",
                 "OpticsHistory",
                 "PoolRead", "SessionRead", "ZabbixHostRead", "ProblemRead", "CheckRead", "SamplesRead",
                 "NocDashboardRead", "RouterLogRead", "AccessLogRead", "HotspotLogRead", "PppLogRead",
                 "SuspensionLogRead"):
        assert models[name]["examples"], name
        assert not {"password_enc", "snmp_community_enc"} & set(models[name]["properties"]), name
    params = {p["name"] for p in schema["paths"]["/api/v2/monitoring/zabbix/problems"]["get"]["parameters"]}
    assert {"from", "to", "status", "severity", "min_severity", "device", "q", "page", "per_page"} <= params


def test_router_detail_shows_the_account_drift_of_the_last_poll(api: Api, net: Net) -> None:
    from collectors.models import Device

    assert get(api, f"/api/v2/network/routers/{net.routers[0]}").json()["data"]["account_drift"] is None
    drift = {"total": 3, "checked_at": "2026-05-15T11:59:00+00:00", "unknown_on_router_count": 1,
             "unknown_on_router": ["u9"], "missing_on_router_count": 2, "missing_on_router": ["a1", "a2"]}
    with api.db() as session:
        router = session.get(Device, net.routers[0])
        assert router is not None
        router.details = {**router.details, "accounts": drift}
    body = get(api, f"/api/v2/network/routers/{net.routers[0]}").json()["data"]
    assert body["account_drift"] == {**drift, "checked_at": "2026-05-15T11:59:00Z"}
