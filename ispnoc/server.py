"""Run the API with uvicorn (``ispnoc serve``)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.config import ApiSettings
from ispnoc.settings import get_settings


def app_from_environment() -> FastAPI:
    """An app from ISPNOC_* settings (each uvicorn worker process builds its own)."""
    return create_app(get_settings())


def serve(settings: ApiSettings) -> None:
    """Serve on settings.host:port with settings.workers processes (workers re-read the environment)."""
    if settings.workers > 1:
        uvicorn.run("ispnoc.server:app_from_environment", factory=True, host=settings.host,
                    port=settings.port, workers=settings.workers, proxy_headers=True)
        return
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, proxy_headers=True)
