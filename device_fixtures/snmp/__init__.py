"""SNMP agents for the fleet, served by snmpsim from .snmprec files these modules generate."""

from device_fixtures.snmp.base import Device, Interface, System
from device_fixtures.snmp.families import FAMILIES, build_device, build_fleet, snmprec_text
from device_fixtures.snmp.fleet import SnmpFleet, SnmpFleetError, serve_snmp_fleet

__all__ = [
    "FAMILIES",
    "Device",
    "Interface",
    "SnmpFleet",
    "SnmpFleetError",
    "System",
    "build_device",
    "build_fleet",
    "serve_snmp_fleet",
    "snmprec_text",
]
