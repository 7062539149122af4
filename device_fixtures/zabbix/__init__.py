"""A Zabbix server's JSON-RPC API (6.0 by default, other versions by ``ZabbixState.version``)."""

from device_fixtures.zabbix.dialect import Dialect, dialect_for
from device_fixtures.zabbix.methods import call
from device_fixtures.zabbix.query import ApiError
from device_fixtures.zabbix.server import ZabbixServer, serve_zabbix
from device_fixtures.zabbix.state import (
    Acknowledge,
    Host,
    HostGroup,
    Interface,
    Problem,
    Trigger,
    User,
    ZabbixState,
    make_zabbix_state,
)

__all__ = [
    "Acknowledge",
    "ApiError",
    "Dialect",
    "Host",
    "HostGroup",
    "Interface",
    "Problem",
    "Trigger",
    "User",
    "ZabbixServer",
    "ZabbixState",
    "call",
    "dialect_for",
    "make_zabbix_state",
    "serve_zabbix",
]
