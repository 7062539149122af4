"""``serve``: uvicorn with host, port and workers from the settings; the intensive-operation limit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends, FastAPI

from api.deps import intensive
from ispnoc import server
from tests.integration.api.conftest import Api, make_settings


def test_serve_passes_host_port_and_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append((app, kw)))
    server.serve(make_settings(host="127.0.0.1", port=8123, workers=1))
    server.serve(make_settings(host="0.0.0.0", port=8124, workers=3))
    single, many = calls
    assert isinstance(single[0], FastAPI) and (single[1]["host"], single[1]["port"]) == ("127.0.0.1", 8123)
    assert many[0] == "ispnoc.server:app_from_environment" and many[1]["factory"] is True
    assert (many[1]["port"], many[1]["workers"]) == (8124, 3)


def test_resource_intensive_routes_allow_ten_a_minute(api: Api) -> None:
    app: FastAPI = api.http.app  # type: ignore[assignment]
    app.add_api_route("/api/v2/heavy", lambda: {"ok": True}, dependencies=[Depends(intensive)])
    headers = api.auth(api.token("v2", "admin"))
    statuses = [api.http.get("/api/v2/heavy", headers=headers) for _ in range(11)]
    assert [r.status_code for r in statuses] == [200] * 10 + [429]
    assert statuses[0].headers["X-RateLimit-Limit"] == "10"
    assert statuses[9].headers["X-RateLimit-Remaining"] == "0" and "Retry-After" in statuses[10].headers
    # the ordinary limit still has room
    assert api.http.get("/api/v2/logs/api-requests", headers=headers).status_code == 200
