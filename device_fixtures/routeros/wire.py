"""The RouterOS API wire format as pure functions: word lengths, words, sentences, requests.

Words travel as bytes; they are decoded as latin-1 so every byte survives a round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ENCODING = "latin-1"
MAX_LENGTH = 0xFFFFFFFF


class WireError(Exception):
    """A byte stream that is not a RouterOS API stream (reserved control byte, oversize word)."""


def encode_length(length: int) -> bytes:
    """The length prefix of a word (1 to 5 bytes, big-endian, high bits tell the size)."""
    if length < 0:
        raise WireError(f"negative length {length}")
    if length < 0x80:
        return bytes([length])
    if length < 0x4000:
        return (length | 0x8000).to_bytes(2, "big")
    if length < 0x200000:
        return (length | 0xC00000).to_bytes(3, "big")
    if length < 0x10000000:
        return (length | 0xE0000000).to_bytes(4, "big")
    if length <= MAX_LENGTH:
        return b"\xf0" + length.to_bytes(4, "big")
    raise WireError(f"length {length} too large")


def length_size(first: int) -> int:
    """How many bytes a length prefix takes, from its first byte."""
    if first < 0x80:
        return 1
    if first < 0xC0:
        return 2
    if first < 0xE0:
        return 3
    if first < 0xF0:
        return 4
    if first < 0xF8:
        return 5
    raise WireError(f"reserved control byte 0x{first:02x}")


def decode_length(data: bytes, offset: int = 0) -> tuple[int, int] | None:
    """(length, offset past the prefix), or None when the prefix is not complete yet."""
    if offset >= len(data):
        return None
    size = length_size(data[offset])
    if offset + size > len(data):
        return None
    raw = data[offset : offset + size]
    if size == 1:
        return raw[0], offset + 1
    if size == 5:
        return int.from_bytes(raw[1:], "big"), offset + 5
    mask = (1 << (8 * size - size)) - 1
    return int.from_bytes(raw, "big") & mask, offset + size


def encode_word(word: str | bytes) -> bytes:
    """One word: its length prefix and its bytes."""
    raw = word.encode(ENCODING) if isinstance(word, str) else word
    return encode_length(len(raw)) + raw


def encode_sentence(words: Iterable[str | bytes]) -> bytes:
    """A sentence: its words and the closing zero-length word."""
    return b"".join(encode_word(w) for w in words) + b"\x00"


class SentenceReader:
    """Incremental decoder: feed bytes as they arrive, take whole sentences out."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._words: list[str] = []

    def feed(self, data: bytes) -> list[list[str]]:
        """Add bytes; return the sentences completed by them (in order)."""
        self._buffer += data
        sentences: list[list[str]] = []
        buffer = bytes(self._buffer)
        offset = 0
        while True:
            decoded = decode_length(buffer, offset)
            if decoded is None:
                break
            length, start = decoded
            if start + length > len(buffer):
                break
            offset = start + length
            if length == 0:
                sentences.append(self._words)
                self._words = []
            else:
                self._words.append(buffer[start:offset].decode(ENCODING))
        del self._buffer[:offset]
        return sentences

    @property
    def pending(self) -> int:
        """Bytes received but not yet part of a whole word."""
        return len(self._buffer)


@dataclass(frozen=True)
class Request:
    """One API request sentence, split into its parts."""

    command: str
    attributes: dict[str, str] = field(default_factory=dict)
    tag: str | None = None
    proplist: tuple[str, ...] | None = None
    queries: tuple[str, ...] = ()

    @property
    def menu(self) -> str:
        """The menu path: ``/ppp/secret`` for ``/ppp/secret/print``."""
        return self.command.rsplit("/", 1)[0]

    @property
    def verb(self) -> str:
        """The last path element: ``print`` for ``/ppp/secret/print``."""
        return self.command.rsplit("/", 1)[-1]


def split_attribute(word: str) -> tuple[str, str]:
    """``=name=value`` (value may hold ``=``) to (name, value); ``=name`` alone gives an empty value."""
    name, _, value = word[1:].partition("=")
    return name, value


def parse_request(words: list[str]) -> Request:
    """A request from its words; raises WireError on an empty sentence or a stray word."""
    if not words:
        raise WireError("empty sentence")
    attributes: dict[str, str] = {}
    tag: str | None = None
    proplist: tuple[str, ...] | None = None
    queries: list[str] = []
    for word in words[1:]:
        if word.startswith(".tag="):
            tag = word[5:]
        elif word.startswith("=.proplist=") or word.startswith(".proplist="):
            value = word.split("=", 2)[-1] if word.startswith("=") else word[len(".proplist=") :]
            proplist = tuple(p for p in value.split(",") if p)
        elif word.startswith("="):
            name, value = split_attribute(word)
            attributes[name] = value
        elif word.startswith("?"):
            queries.append(word)
        else:
            raise WireError(f"unexpected word {word!r}")
    return Request(words[0], attributes, tag, proplist, tuple(queries))


def reply(kind: str, attributes: Mapping[str, str] | None = None, tag: str | None = None) -> bytes:
    """A reply sentence (``!re``, ``!done``, ``!trap``, ``!empty``) with its attributes and tag."""
    words = [kind, *(f"={k}={v}" for k, v in (attributes or {}).items())]
    if tag is not None:
        words.append(f".tag={tag}")
    return encode_sentence(words)


def fatal(reason: str) -> bytes:
    """``!fatal`` and its reason word (the connection closes after it)."""
    return encode_sentence(["!fatal", reason])
