"""SNMP v2c messages as pure functions: a GET or GETBULK request encoded, a response decoded
(request id and PDU), with pysnmp's protocol API and pyasn1's BER codec (no engine, no MIB)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

with warnings.catch_warnings():  # pysmi, imported by pysnmp, warns about its own deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyasn1.codec.ber import decoder, encoder
    from pyasn1.error import PyAsn1Error
    from pysnmp.proto import api

V2C: Any = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
Oid = tuple[int, ...]


def encode_request(community: str, request_id: int, oids: Sequence[Oid], repetitions: int | None) -> bytes:
    """A v2c GetRequest (``repetitions`` None) or GetBulkRequest message, BER-encoded."""
    pdu = V2C.GetRequestPDU() if repetitions is None else V2C.GetBulkRequestPDU()
    V2C.apiPDU.set_defaults(pdu)
    V2C.apiPDU.set_request_id(pdu, request_id)
    if repetitions is not None:
        V2C.apiBulkPDU.set_non_repeaters(pdu, 0)
        V2C.apiBulkPDU.set_max_repetitions(pdu, repetitions)
    V2C.apiPDU.set_varbinds(pdu, [(o, V2C.null) for o in oids])
    message = V2C.Message()
    V2C.apiMessage.set_defaults(message)
    V2C.apiMessage.set_community(message, community)
    V2C.apiMessage.set_pdu(message, pdu)
    return bytes(encoder.encode(message))


def decode_response(data: bytes) -> tuple[int, Any] | None:
    """(request id, response PDU) of a v2c response message; None for anything else."""
    try:
        message, _ = decoder.decode(data, asn1Spec=V2C.Message())
        pdu = V2C.apiMessage.get_pdu(message)
        if not pdu.isSameTypeWith(V2C.ResponsePDU()):
            return None
        return int(V2C.apiPDU.get_request_id(pdu)), pdu
    except (PyAsn1Error, ValueError, TypeError):
        return None
