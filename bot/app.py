"""The ASGI app of `weiquan serve`: channels that are configured, console, health, metrics."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot import metrics
from bot.config import Settings
from bot.followups.worker import BackgroundFollowups
from bot.logs import setup_logging
from bot.service import Service


def _health_routes(service: Service) -> list[BaseRoute]:
    async def healthz(request: Request) -> Response:
        try:
            with service.store.db.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def metrics_page(request: Request) -> Response:
        return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return [Route("/healthz", healthz), Route("/metrics", metrics_page)]


def build_app(service: Service, settings: Settings) -> Starlette:
    from bot.channels.telegram import adapter as telegram
    from bot.channels.wechat import adapter as wechat
    from bot.console import routes as console

    routes: list[BaseRoute] = _health_routes(service)
    routes += telegram.routes(service, settings)
    routes += wechat.routes(service, settings)
    routes += console.routes(service, settings)

    # Channel endpoints that deliver in the background: wait for them before closing the store.
    endpoints = [
        endpoint
        for route in routes
        if (endpoint := getattr(route, "webhook", None) or getattr(route, "wechat", None))
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        followups = BackgroundFollowups(service, settings)  # due complaint reminders
        followups.start()
        for endpoint in endpoints:  # outbox retries: a restart sends what a crash left unsent
            endpoint.start()
        # Everything built at start-up (flow, machine, catalogs, libraries) lives as long as the
        # process: moved out of the collector's way, full collections stop pausing turns (~100 ms).
        gc.collect()
        gc.freeze()
        yield
        await followups.stop()
        for endpoint in endpoints:
            await endpoint.aclose()
        service.close()

    return Starlette(routes=routes, lifespan=lifespan)


def create_app() -> Starlette:
    """Factory for uvicorn (`weiquan serve`, one per worker process)."""
    settings = Settings.load()
    setup_logging(settings.log_level)
    return build_app(Service.open(settings), settings)
