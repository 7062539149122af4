"""`ispnoc scheduler` as its own process (stopped cleanly by SIGTERM and by SIGINT), and the scheduler
inside the API app's lifespan as `ispnoc serve` runs it (off when scheduler_enabled is false)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, Table, select

from api.app import create_app
from ispnoc.cli_scheduler import scheduler_for
from ispnoc.server import with_scheduler
from ispnoc.settings import get_settings
from ispnoc.wiring import open_store
from scheduler import jobs
from store.db import make_engine

REPO = Path(__file__).resolve().parents[2]


def installed_while_running(app: FastAPI) -> bool:
    """Run the app's lifespan (startup, then shutdown) and say whether a scheduler ran meanwhile."""
    async def check() -> bool:
        async with app.router.lifespan_context(app):
            try:
                return jobs.current() is not None
            except RuntimeError:
                return False

    return asyncio.run(check())


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    values = {"ISPNOC_DATABASE_URL": f"sqlite:///{tmp_path / 'sched.db'}", "ISPNOC_SYSLOG_PORT": "0",
              "ISPNOC_COLLECT_OLT_SSH_S": "0", "ISPNOC_BILLS_CRON": ""}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield {**os.environ, **values}
    get_settings.cache_clear()


def stored_jobs(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        table = Table("scheduler_jobs", MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            return set(conn.scalars(select(table.c.id)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_the_scheduler_process_runs_until_a_signal(env: dict[str, str], stop: signal.Signals) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "ispnoc", "scheduler"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "scheduler running" in line or not line:
                break
        assert "scheduler running" in lines[-1], "".join(lines)
        proc.send_signal(stop)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, rest
    assert "collect:mikrotik" in "".join(lines) and "stopping" in rest
    assert stored_jobs(env["ISPNOC_DATABASE_URL"]) == {
        "collect:mikrotik", "collect:olt_snmp", "collect:radio_snmp", "collect:zabbix", "collect:status",
        "deliver:webhooks", "deliver:sms", "suspension", "retention"}


def test_serve_runs_the_scheduler_in_the_app_lifespan(env: dict[str, str]) -> None:
    settings = get_settings()
    app = with_scheduler(create_app(settings), lambda: scheduler_for(open_store(settings)))
    with pytest.raises(RuntimeError):
        jobs.current()
    assert installed_while_running(app)
    with pytest.raises(RuntimeError):
        jobs.current()
    assert "suspension" in stored_jobs(env["ISPNOC_DATABASE_URL"])


def test_serve_starts_the_scheduler_only_when_enabled(monkeypatch: pytest.MonkeyPatch,
                                                      env: dict[str, str]) -> None:
    from ispnoc import server

    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_kw: served.append(app))
    server.serve(get_settings())
    server.serve(get_settings().model_copy(update={"scheduler_enabled": False}))
    assert installed_while_running(served[0])
    assert not installed_while_running(served[1])
    with pytest.raises(RuntimeError):
        jobs.current()
