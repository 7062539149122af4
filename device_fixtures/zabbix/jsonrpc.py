"""The JSON-RPC 2.0 envelope as the Zabbix frontend handles it (CJsonRpc), as a pure function.

Request body in, response body out (b"" when nothing is to be answered: notifications).
- Unparsable JSON: -32700 with id null. Not an object or array, or empty: -32600.
- A JSON array is a batch: every call is answered in order (notifications left out).
- Each call is validated (jsonrpc "2.0", method, params, auth, id) before it runs; an invalid
  call is answered -32600 even without an id. 6.0 ignores members it does not know; 7.2, which
  removed the ``auth`` member, rejects it.
- The token comes from ``Authorization: Bearer`` (6.4+) or from ``auth`` (before 7.2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from device_fixtures.zabbix.methods import ANONYMOUS, call
from device_fixtures.zabbix.query import APPLICATION_ERROR, ApiError, invalid
from device_fixtures.zabbix.state import ZabbixState

TRAP_DATA = "System error occurred. Please contact Zabbix administrator."


@dataclass(frozen=True)
class Conditions:
    """What the transport and the fault knobs add to a request."""

    bearer: str | None = None
    trap: bool = False
    reject_logins: bool = False


def encode(payload: object) -> bytes:
    """JSON as PHP's json_encode writes it (compact, ASCII, unescaped slashes)."""
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def error_reply(error: ApiError, call_id: object = None) -> dict[str, Any]:
    """A JSON-RPC error object."""
    return {"jsonrpc": "2.0", "error": error.as_error(), "id": call_id}


def handle(state: ZabbixState, body: bytes, conditions: Conditions = Conditions()) -> bytes:
    """Answer one HTTP request body."""
    try:
        decoded = json.loads(body)
    except ValueError:
        return encode(
            error_reply(
                ApiError(-32700, "Invalid JSON. An error occurred on the server while parsing the JSON text.")
            )
        )
    if not isinstance(decoded, dict | list) or not decoded:
        return encode(error_reply(ApiError(-32600, "The received JSON is not a valid JSON-RPC Request.")))
    calls = decoded if isinstance(decoded, list) else [decoded]
    replies = [reply for reply in (_one(state, c, conditions) for c in calls) if reply is not None]
    if not replies:
        return b""
    return encode(replies if isinstance(decoded, list) else replies[0])


def _valid_id(request: dict[str, Any]) -> dict[str, Any]:
    call_id = request.get("id")
    ok = (
        "id" in request
        and (call_id is None or isinstance(call_id, str | int | float))
        and not isinstance(call_id, bool)
    )
    return {"id": call_id} if ok else {}


def validate_call(state: ZabbixState, request: object) -> dict[str, Any]:
    """The call's members after CJsonRpc::validate, or ApiError(-32600)."""
    if not isinstance(request, dict):
        raise ApiError(-32600, 'Invalid parameter "/": an array is expected.')
    members = (
        ("jsonrpc", "method", "params", "auth", "id")
        if state.dialect.body_auth
        else ("jsonrpc", "method", "params", "id")
    )
    if state.dialect.body_auth:
        request = {k: v for k, v in request.items() if k in members}
    for name in request:
        if name not in members:
            raise _request_error(f'unexpected parameter "{name}"')
    for name in ("jsonrpc", "method", "params"):
        if name not in request:
            raise _request_error(f'the parameter "{name}" is missing')
    if request["jsonrpc"] != "2.0":
        raise _request_error('value must be "2.0"', "/jsonrpc")
    if not isinstance(request["method"], str):
        raise _request_error("a character string is expected", "/method")
    if not isinstance(request["params"], dict | list):
        raise _request_error("an array or object is expected", "/params")
    auth = request.get("auth")
    if auth is not None and not isinstance(auth, str):
        raise _request_error("a character string is expected", "/auth")
    if auth == "":
        raise _request_error("cannot be empty", "/auth")
    if "id" in request and not _valid_id(request):
        raise _request_error("a string, number or null value is expected", "/id")
    return request


def _request_error(problem: str, path: str = "/") -> ApiError:
    return ApiError(-32600, invalid(path, problem).data)


def _one(state: ZabbixState, request: object, conditions: Conditions) -> dict[str, Any] | None:
    try:
        valid = validate_call(state, request)
    except ApiError as exc:
        return error_reply(exc, _valid_id(request).get("id") if isinstance(request, dict) else None)
    method: str = valid["method"]
    auth = valid.get("auth")
    if conditions.bearer and state.dialect.bearer_header and method.lower() not in ANONYMOUS:
        auth = conditions.bearer
    try:
        if conditions.trap:
            raise ApiError(APPLICATION_ERROR, TRAP_DATA)
        result = call(state, method, valid["params"], auth, reject_logins=conditions.reject_logins)
    except ApiError as exc:
        return error_reply(exc, valid["id"]) if "id" in valid else None
    if "id" not in valid:
        return None
    return {"jsonrpc": "2.0", "result": [] if result == {} else result, "id": valid["id"]}
