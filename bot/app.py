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
    from bot.channels.configured import configured_channels
    from bot.channels.reminders import ChannelFollowups
    from bot.console import routes as console

    channels = configured_channels(service, settings)  # built once; started by the lifespan
    routes: list[BaseRoute] = _health_routes(service)
    for channel in channels:
        routes += channel.routes()
    operator_senders = {channel.name: channel.send_operator_text for channel in channels if channel.can_push}
    routes += console.routes(service, settings, operator_senders)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.store.open_read_connections()  # a worker's connections are fixed from its start
        for channel in channels:  # outbox retries: a restart sends what a crash left unsent
            await channel.start()
        followups = ChannelFollowups(service, channels)  # due complaint reminders
        followups.start()
        # Everything built at start-up (flow, machine, catalogs, libraries) lives as long as the
        # process: moved out of the collector's way, full collections stop pausing turns (~100 ms).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await followups.stop()  # before the channels close: its sends use their clients
            for channel in channels:  # deliveries in flight finish, then retries and clients stop
                await channel.aclose()
            service.close()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.channels = channels  # for health checks and tests: what this app runs
    return app


def create_app() -> Starlette:
    """Factory for uvicorn (`weiquan serve`, one per worker process)."""
    settings = Settings.load()
    setup_logging(settings.log_level)
    return build_app(Service.open(settings), settings)
