"""Request ids: each HTTP request and WebSocket gets one (the client's ``X-Request-ID`` when it
is safe, else a fresh one), sent back in ``X-Request-ID``, kept in :data:`REQUEST_ID` for the
logs, and named in one access log line per request (logger ``control.request_ids.access``).
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["REQUEST_ID", "RequestIdMiddleware"]

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "compositor_request_id", default=None
)

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestIdMiddleware:
    """ASGI middleware: request id in, ``X-Request-ID`` out, one access log line per request."""

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None) -> None:
        self.app = app
        # The access log: a child of this module's logger, so it can be silenced on its own.
        self.log = logger or logging.getLogger(f"{__name__}.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        presented = Headers(scope=scope).get("x-request-id")
        request_id = presented if presented and _SAFE_REQUEST_ID.fullmatch(presented) \
            else uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        token = REQUEST_ID.set(request_id)
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] in ("http.response.start", "websocket.http.response.start"):
                status = int(message["status"])
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            elif message["type"] == "websocket.accept":
                status = 101
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info(
                "%s %s %s", scope.get("method", "WS"), scope.get("path", ""), status,
                extra={"status": status,
                       "duration_ms": round((time.perf_counter() - started) * 1000, 3)},
            )
            REQUEST_ID.reset(token)
