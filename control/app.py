"""The control plane's Starlette application, built by :func:`create_app`.

Nothing here is global: the configuration, the store, the program (render side) and the metrics
registry are passed in, so tests and replicas build as many apps as they like. The app owns one
:class:`~control.ws.Hub` (one store subscription), one :class:`~control.scheduler.Scheduler`
and one :class:`~control.receipts.ReceiptRelay`, started and stopped with its lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from fractions import Fraction

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from compositor.scene import Scene
from control.assets import AssetPolicy
from control.auth import BearerAuthMiddleware
from control.background import BackgroundTasks
from control.committer import Committer
from control.config import ControlConfig
from control.context import ControlContext
from control.http import exception_handlers
from control.landing import Landings
from control.metered_store import MeteredStore
from control.metrics import ControlMetrics
from control.program import ProgramControl
from control.receipts import ReceiptRelay
from control.request_guard import RequestGuardMiddleware, RequestPolicy
from control.request_ids import RequestIdMiddleware
from control.routes import all_routes
from control.routes.web import web_routes
from control.scheduler import Scheduler
from control.store.base import Store
from control.thumbnails import ThumbnailCache
from control.ws import DEFAULT_QUEUE_MAX, Hub

__all__ = ["JSON_MAX_BYTES", "create_app"]

JSON_MAX_BYTES = 1024 * 1024
"""Largest JSON request body (and WebSocket message), in bytes."""
SHUTDOWN_STEP_S = 3.0
"""The longest each shutdown step (background tasks, the hub, the store) may take."""


def create_app(
    config: ControlConfig,
    store: Store,
    program: ProgramControl,
    *,
    registry: CollectorRegistry,
    metrics: ControlMetrics | None = None,
    asset_policy: AssetPolicy | None = None,
    ws_queue_max: int = DEFAULT_QUEUE_MAX,
    json_max_bytes: int = JSON_MAX_BYTES,
    initial_scene: Scene | None = None,
    owns_store: bool = False,
    time_source: Callable[[], float] = time.time,
    schedule_lead_s: float = 0.5,
) -> Starlette:
    """Build the app.

    ``metrics`` defaults to a new :class:`ControlMetrics` on ``registry`` (pass one when the
    caller needs it too, e.g. for commit-to-air). ``initial_scene`` is written at startup when the
    store is empty. With ``owns_store`` the store is closed at shutdown. ``time_source`` (Unix
    seconds) is the house clock for landing frames; scheduled commits are committed
    ``schedule_lead_s`` before their frame (see ``control.scheduler``).
    """
    metrics = metrics if metrics is not None else ControlMetrics(registry)
    metered = MeteredStore(store, metrics, config.store_backend)
    limits = config.limits

    def channel_fps() -> Fraction:  # the hub (bound below) keeps the latest scene
        return hub.scene.fps

    landings = Landings(channel_fps, time_source)
    hub = Hub(metered, metrics, landings, queue_max=ws_queue_max,
              max_clients=config.max_ws_clients)
    committer = Committer(metered, metrics, limits, landings, max_scheduled=config.max_scheduled)
    scheduler = Scheduler(committer, lead_s=schedule_lead_s)
    relay = ReceiptRelay(metered, hub)
    background = BackgroundTasks(metrics)
    decode_slots = asyncio.Semaphore(2)
    context = ControlContext(
        config=config,
        store=metered,
        program=program,
        metrics=metrics,
        committer=committer,
        hub=hub,
        scheduler=scheduler,
        background=background,
        limits=limits,
        asset_policy=asset_policy or config.assets,
        json_max_bytes=json_max_bytes,
        decode_slots=decode_slots,
        thumbnails=ThumbnailCache(decode_slots),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if initial_scene is not None:
            await metered.initialize(initial_scene)
        await hub.start()
        background.start("scheduler", scheduler.run)
        background.start("receipt-relay", relay.run)
        try:
            yield
        finally:
            await background.stop(SHUTDOWN_STEP_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(hub.stop(), SHUTDOWN_STEP_S)
            if owns_store:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(store.close(), SHUTDOWN_STEP_S)

    app = Starlette(
        routes=[*all_routes(), *web_routes()],
        middleware=[
            Middleware(RequestIdMiddleware),
            *_cors(config.requests),
            Middleware(RequestGuardMiddleware, policy=config.requests),
            Middleware(BearerAuthMiddleware, token=config.api_token),
        ],
        exception_handlers=exception_handlers(),
        lifespan=lifespan,
    )
    app.state.control = context
    return app


def _cors(policy: RequestPolicy) -> list[Middleware]:
    """CORS answers for the pages of the allowed origins (none: no CORS at all)."""
    if not policy.origins:
        return []
    return [Middleware(CORSMiddleware, allow_origins=sorted(policy.origins),
                       allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                       allow_headers=["Authorization", "Content-Type", "If-Match",
                                      "If-None-Match", "X-Request-ID"],
                       expose_headers=["ETag", "X-Request-ID"])]
