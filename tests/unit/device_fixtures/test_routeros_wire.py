"""The RouterOS API wire codec: lengths at every size boundary, words, sentences, requests."""

from __future__ import annotations

import pytest

from device_fixtures.routeros.wire import (
    SentenceReader,
    WireError,
    decode_length,
    encode_length,
    encode_sentence,
    encode_word,
    parse_request,
    reply,
)

BOUNDARIES = [
    (0, b"\x00"),
    (0x7F, b"\x7f"),
    (0x80, b"\x80\x80"),
    (0x3FFF, b"\xbf\xff"),
    (0x4000, b"\xc0\x40\x00"),
    (0x1FFFFF, b"\xdf\xff\xff"),
    (0x200000, b"\xe0\x20\x00\x00"),
    (0xFFFFFFF, b"\xef\xff\xff\xff"),
    (0x10000000, b"\xf0\x10\x00\x00\x00"),
]


@pytest.mark.parametrize(("length", "encoded"), BOUNDARIES)
def test_length_encoding_at_boundaries(length: int, encoded: bytes) -> None:
    assert encode_length(length) == encoded
    assert decode_length(encoded) == (length, len(encoded))


def test_length_prefix_incomplete_and_reserved() -> None:
    assert decode_length(b"\xc0\x40") is None
    assert decode_length(b"") is None
    with pytest.raises(WireError):
        decode_length(b"\xf8\x00")
    with pytest.raises(WireError):
        encode_length(-1)


def test_sentence_reader_reassembles_split_bytes() -> None:
    long_word = "=comment=" + "x" * 0x4000
    data = encode_sentence(["/ppp/secret/add", "=name=u1", long_word]) + encode_sentence(["/quit"])
    reader = SentenceReader()
    got: list[list[str]] = []
    for i in range(0, len(data), 7):
        got.extend(reader.feed(data[i : i + 7]))
    assert got == [["/ppp/secret/add", "=name=u1", long_word], ["/quit"]]
    assert reader.pending == 0


def test_words_are_byte_transparent() -> None:
    raw = "=comment=café".encode()
    reader = SentenceReader()
    [words] = reader.feed(encode_word(raw) + b"\x00")
    assert words[0].encode("latin-1") == raw


def test_parse_request_splits_attributes_tag_proplist_queries() -> None:
    request = parse_request([
        "/ppp/secret/print", "=.proplist=name,profile", ".tag=7", "?profile=10M", "?#!", "=count-only=",
        "=comment=a=b",
    ])
    assert request.menu == "/ppp/secret"
    assert request.verb == "print"
    assert request.tag == "7"
    assert request.proplist == ("name", "profile")
    assert request.queries == ("?profile=10M", "?#!")
    assert request.attributes == {"count-only": "", "comment": "a=b"}
    with pytest.raises(WireError):
        parse_request([])
    with pytest.raises(WireError):
        parse_request(["/x/print", "stray"])


def test_reply_words_in_order_with_tag() -> None:
    data = reply("!trap", {"category": "0", "message": "no such item"}, "t1")
    [words] = SentenceReader().feed(data)
    assert words == ["!trap", "=category=0", "=message=no such item", ".tag=t1"]
