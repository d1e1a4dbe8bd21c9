"""The obs-websocket endpoint as its own Starlette app: :func:`create_obs_app`.

It is served on its own port (``--obs-websocket-port``, the API's host), at any path (OBS
clients connect to ``ws://host:port``). It shares the control plane of the API app it is built
from (its :class:`~control.context.ControlContext`: store, committer, program, hub), so it must
run in the same process and event loop, and is started after that app (whose lifespan starts
the hub). The same Host and Origin checks as the API's apply (``control.request_guard``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from control.context import ControlContext
from control.obsws.endpoint import CueDeck, Endpoint
from control.obsws.events import EventFeed
from control.obsws.metrics import ObsMetrics
from control.obsws.protocol import Auth, OpCode
from control.obsws.requests import REQUESTS
from control.obsws.session import IDENTIFY_TIMEOUT_S, Message, Session
from control.request_guard import RequestGuardMiddleware

__all__ = ["ObsServer", "ObsSettings", "create_obs_app"]

_log = logging.getLogger(__name__)

_STOP_S = 3.0


@dataclass(frozen=True, slots=True)
class ObsSettings:
    """``password``: the authentication challenge's password (None: no authentication).
    ``max_sessions``: connections at once (more are closed with 1013). ``data_dir``: the folder
    whose free space ``GetStats`` reports. ``identify_timeout_s``: how long a new connection
    may take to identify (else it is closed with 4007)."""

    password: str | None = None
    max_sessions: int = 100
    data_dir: str | None = None
    identify_timeout_s: float = IDENTIFY_TIMEOUT_S


class ObsServer:
    """The endpoint's sessions and its event feed."""

    def __init__(self, ctx: ControlContext, cues: CueDeck, settings: ObsSettings) -> None:
        self.settings = settings
        self.endpoint = Endpoint(ctx, cues, data_dir=settings.data_dir)
        self.endpoint.sink = self
        self.auth = Auth(settings.password) if settings.password else None
        self.sessions: set[Session] = set()
        self.feed = EventFeed(self.endpoint, self)
        self.metrics = ObsMetrics(ctx.metrics.registry, frozenset(REQUESTS))
        self._tasks: list[asyncio.Task[None]] = []

    def broadcast(self, intent: int, event_type: str, data: dict[str, Any]) -> None:
        """Send an event to every identified session subscribed to ``intent``."""
        if not self.sessions:
            return
        message = Message(OpCode.EVENT, {
            "eventType": event_type, "eventIntent": int(intent), "eventData": data})
        for session in list(self.sessions):
            session.offer_event(intent, message)

    async def start(self) -> None:
        await self.feed.start()
        self._tasks = [asyncio.create_task(self.feed.follow_scene(), name="obsws-scene-events"),
                       asyncio.create_task(self.feed.follow_stream(), name="obsws-stream-events"),
                       asyncio.create_task(self.feed.follow_cues(), name="obsws-cue-events")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=_STOP_S)
        self._tasks = []

    async def serve(self, websocket: WebSocket) -> None:
        if len(self.sessions) >= self.settings.max_sessions:
            await websocket.accept()
            await websocket.close(1013, "too many obs-websocket sessions")
            self.metrics.closes.labels("1013").inc()
            return
        session = Session(self.endpoint, websocket, self.auth, self.metrics,
                          identify_timeout_s=self.settings.identify_timeout_s)
        self.sessions.add(session)
        self.metrics.sessions.set(len(self.sessions))
        try:
            await session.run()
        finally:
            self.sessions.discard(session)
            self.metrics.sessions.set(len(self.sessions))


def create_obs_app(ctx: ControlContext, cues: CueDeck, settings: ObsSettings) -> Starlette:
    """The endpoint's app over ``ctx`` (the API app's context: ``app.state.control``)."""
    server = ObsServer(ctx, cues, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await server.start()
        try:
            yield
        finally:
            await server.stop()

    app = Starlette(
        routes=[WebSocketRoute("/", server.serve), WebSocketRoute("/{path:path}", server.serve)],
        middleware=[Middleware(RequestGuardMiddleware, policy=ctx.config.requests)],
        lifespan=lifespan,
    )
    app.state.obs = server
    return app
