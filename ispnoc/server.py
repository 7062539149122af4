"""Run the API with uvicorn (``ispnoc serve``)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from ispnoc.enforcers import wire_push
from ispnoc.settings import Settings, get_settings


def app_from_environment() -> FastAPI:
    """An app from ISPNOC_* settings (each uvicorn worker process builds its own)."""
    settings = get_settings()
    return wire_push(create_app(settings), settings)


def serve(settings: Settings) -> None:
    """Serve on settings.host:port with settings.workers processes (workers re-read the environment)."""
    if settings.workers > 1:
        uvicorn.run("ispnoc.server:app_from_environment", factory=True, host=settings.host,
                    port=settings.port, workers=settings.workers, proxy_headers=True)
        return
    app = wire_push(create_app(settings), settings)
    uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=True)
