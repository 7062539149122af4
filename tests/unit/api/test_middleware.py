"""BodyLimit as pure ASGI: a declared or streamed body over the limit is answered 413 in the error
envelope, and no more of it is read than it takes to know."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from starlette.types import Message, Receive, Scope, Send

from api.middleware import BodyLimit, content_length

LIMIT = 1000


class Chunks:
    """A client sending ``n`` chunks of ``size`` bytes (``more_body`` until the last), counting reads."""

    def __init__(self, n: int, size: int) -> None:
        self.left, self.size, self.reads = n, size, 0

    async def __call__(self) -> Message:
        self.reads += 1
        self.left -= 1
        return {"type": "http.request", "body": b"x" * self.size, "more_body": self.left > 0}


class Reader:
    """An app reading the whole body, then answering 200 with its length."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})


def call(app: Any, receive: Receive, headers: list[tuple[bytes, bytes]]) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v2/customers", "headers": headers}
    anyio.run(BodyLimit(app, limit=LIMIT), scope, receive, send)
    return sent


def answer(sent: list[Message]) -> tuple[int, dict[str, Any]]:
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body) if sent[0]["status"] != 200 else {"length": int(body)}


def test_a_declared_length_over_the_limit_is_refused_before_the_app_reads_anything() -> None:
    app, client = Reader(), Chunks(5, 400)
    status, body = answer(call(app, client, [(b"content-length", b"2000")]))
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert body["error"]["details"] == {"body": ["The request body must be at most 1000 bytes."]}
    assert (app.called, client.reads) == (False, 0)


def test_a_chunked_body_is_cut_off_at_the_chunk_that_passes_the_limit() -> None:
    client = Chunks(100, 400)
    status, body = answer(call(Reader(), client, [(b"transfer-encoding", b"chunked")]))
    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert client.reads == 3  # 400 + 400 + 400 > 1000: the fourth chunk is never asked for


def test_a_short_content_length_does_not_let_a_longer_body_through() -> None:
    client = Chunks(4, 400)
    status, _ = answer(call(Reader(), client, [(b"content-length", b"10")]))
    assert status == 413 and client.reads == 3


@pytest.mark.parametrize("size", [1000, 1])
def test_bodies_up_to_the_limit_reach_the_app_whole(size: int) -> None:
    assert answer(call(Reader(), Chunks(1, size), [(b"content-length", str(size).encode())])) == (
        200, {"length": size})


@pytest.mark.parametrize(("value", "expected"), [(b"12", 12), (b"", None), (b"-1", None), (b"1e3", None),
                                                 ("³".encode(), None)])
def test_content_length_is_a_plain_number_or_nothing(value: bytes, expected: int | None) -> None:
    assert content_length({"headers": [(b"content-length", value)]}) == expected
    assert content_length({"headers": []}) is None
