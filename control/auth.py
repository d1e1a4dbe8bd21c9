"""Bearer-token authentication for ``/api`` (HTTP and WebSocket).

With a token configured every request whose path starts with ``/api`` must carry
``Authorization: Bearer <token>``; a WebSocket may pass ``?token=<token>`` instead, since browsers
cannot set headers on a WebSocket. Anything else gets 401 (a WebSocket gets a 401 denial response
where the server supports it, else close code 1008). ``/healthz``, ``/readyz``, ``/metrics`` and
``/openapi.json`` stay open. Comparison is constant-time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from control.errors import UnauthorizedError
from control.http import refuse

__all__ = ["BearerAuthMiddleware", "token_matches"]

PROTECTED_PREFIX = "/api"


def token_matches(presented: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented token with the configured one."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def _presented_token(scope: Scope) -> str | None:
    header = Headers(scope=scope).get("authorization")
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    if scope["type"] == "websocket":
        query = scope.get("query_string", b"").decode("latin-1")
        for key, value in parse_qsl(query):
            if key == "token":
                return str(value)
    return None


class BearerAuthMiddleware:
    """ASGI middleware; a no-op when ``token`` is None."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.token is None
            or scope["type"] not in ("http", "websocket")
            or not str(scope.get("path", "")).startswith(PROTECTED_PREFIX)
            or token_matches(_presented_token(scope), self.token)
        ):
            await self.app(scope, receive, send)
            return
        error = UnauthorizedError("missing or wrong API token", "Authorization")
        await refuse(scope, receive, send, error)
