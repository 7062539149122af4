"""The little of SNMP's BER wire format the fleet needs itself: a v2c GET probe, the community."""

from __future__ import annotations

SEQUENCE = 0x30
INTEGER_TAG = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OID_TAG = 0x06
GET_REQUEST = 0xA0
RESPONSE = 0xA2
SNMP_V2C = 1


def encode_length(length: int) -> bytes:
    """BER definite length: short form below 128, else long form."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, value: bytes) -> bytes:
    """One BER tag-length-value."""
    return bytes([tag]) + encode_length(len(value)) + value


def encode_integer(value: int) -> bytes:
    """A BER INTEGER (two's complement, minimal length)."""
    size = max(1, (value + (value < 0)).bit_length() // 8 + 1)
    return tlv(INTEGER_TAG, value.to_bytes(size, "big", signed=True))


def encode_oid(oid: str) -> bytes:
    """A BER OBJECT IDENTIFIER from dotted decimal."""
    arcs = [int(x) for x in oid.strip(".").split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OID_TAG, bytes(body))


def get_request(community: str, oid: str, request_id: int) -> bytes:
    """A complete SNMPv2c GetRequest datagram for one OID."""
    varbind = tlv(SEQUENCE, encode_oid(oid) + tlv(NULL, b""))
    pdu = tlv(
        GET_REQUEST,
        encode_integer(request_id) + encode_integer(0) + encode_integer(0) + tlv(SEQUENCE, varbind),
    )
    return tlv(SEQUENCE, encode_integer(SNMP_V2C) + tlv(OCTET_STRING, community.encode("latin-1")) + pdu)


def _read_length(buf: bytes, pos: int) -> tuple[int, int]:
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    return int.from_bytes(buf[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def _header(packet: bytes) -> tuple[str, int] | None:
    """(community, offset of the PDU) of a v1/v2c message, None if it is not one."""
    if len(packet) < 2 or packet[0] != SEQUENCE:
        return None
    _, pos = _read_length(packet, 1)
    if packet[pos] != INTEGER_TAG:
        return None
    size, pos = _read_length(packet, pos + 1)
    pos += size
    if packet[pos] != OCTET_STRING:
        return None
    size, pos = _read_length(packet, pos + 1)
    return packet[pos : pos + size].decode("latin-1"), pos + size


def community_of(packet: bytes) -> str | None:
    """The community string of an SNMPv1/v2c message (None for v3 or garbage)."""
    try:
        header = _header(packet)
    except IndexError:
        return None
    return header[0] if header else None


def is_response(packet: bytes) -> bool:
    """Whether the datagram is an SNMP Response PDU."""
    try:
        header = _header(packet)
    except IndexError:
        return False
    return header is not None and header[1] < len(packet) and packet[header[1]] == RESPONSE
