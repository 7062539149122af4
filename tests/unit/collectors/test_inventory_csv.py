"""A CSV inventory becomes the JSON inventory's shape; bad rows are named by line and column."""

from __future__ import annotations

import pytest

from collectors.inventory import InventoryError
from collectors.inventory_csv import inventory_from_csv

CSV = """name,kind,host,vendor,family,api_port,ssh_port,snmp_port,snmp_community,username,password,url
core-rt1,router,10.0.0.1,,,8728,,161,public,api,s3cret,
olt-1,olt,10.0.1.1,huawei,,,22,161,olt-ro,admin,oltpw,
ap-1,radio,10.0.2.1,,airos,,,161,ubnt,,,
zbx,zabbix,,,,,,,,Admin,zabbix,http://10.0.3.1/api_jsonrpc.php
"""


def test_every_kind_lands_where_the_json_inventory_has_it() -> None:
    inv = inventory_from_csv(CSV)
    assert inv["routers"] == [{"name": "core-rt1", "kind": "router", "host": "10.0.0.1",
                               "api": {"port": 8728, "username": "api", "password": "s3cret"},
                               "snmp": {"port": 161, "version": "2c", "community": "public"}}]
    assert inv["olts"][0]["vendor"] == "huawei" and inv["olts"][0]["ssh"] == {
        "port": 22, "username": "admin", "password": "oltpw"}
    assert inv["radios"][0]["family"] == "airos" and inv["radios"][0]["snmp"]["community"] == "ubnt"
    assert inv["zabbix"]["url"] == inv["zabbix"]["api_url"] == "http://10.0.3.1/api_jsonrpc.php"


@pytest.mark.parametrize(("text", "message"), [
    ("name,kind\nr1,switch\n", "line 2: kind must be one of router, olt, radio, zabbix, not 'switch'"),
    ("name,kind,api_port\nr1,router,87x\n", "line 2: api_port must be a port number"),
    ("name,kind,colour\nr1,router,red\n", "unknown columns: colour"),
    ("host\n10.0.0.1\n", "the header must name at least the columns name and kind"),
])
def test_bad_rows_are_named(text: str, message: str) -> None:
    with pytest.raises(InventoryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inventory_from_csv(text)
