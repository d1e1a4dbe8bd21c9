"""Where requests may come from: the ``Host`` they name and the web ``Origin`` they carry.

Without a token, a service on 127.0.0.1 trusts whoever can reach it; a web page in the
operator's browser can reach it too. So:

- **Host**: a request must name a host this service answers to (:attr:`RequestPolicy.hosts`:
  on a loopback bind, the loopback names plus any configured ones). A DNS-rebinding page, whose
  requests name the attacker's domain, is refused (400).
- **Origin**: a request that changes something (any method but GET, HEAD and OPTIONS) and every
  WebSocket upgrade that comes from a browser page (an ``Origin`` header) must come from this
  service's own origin or one in :attr:`RequestPolicy.origins` (403). Requests without an
  ``Origin`` (curl, scripts, automation) are not browser pages and pass.
- JSON bodies must say they are JSON (``control.routes.body.read_json``): a cross-site form or a
  ``fetch`` without a ``Content-Type`` cannot send one without a CORS preflight.

Pages served from an allowed origin elsewhere get CORS answers (``CORSMiddleware``) so that
their requests work.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from control.errors import BadRequestError, ForbiddenError, RequestError
from control.http import refuse

__all__ = ["LOOPBACK_HOSTS", "RequestGuardMiddleware", "RequestPolicy", "normalize_origin"]

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without a default port; ValueError if not one."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{origin!r} is not an origin like https://panel.example.com")
    default = {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    port = "" if parts.port in (None, default) else f":{parts.port}"
    return f"{parts.scheme}://{host.lower()}{port}"


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """``hosts``: host names (lower case, no port) requests may name; None: any (a public bind
    with a token). ``origins``: other origins (see :func:`normalize_origin`) whose pages may
    change things."""

    hosts: frozenset[str] | None = None
    origins: frozenset[str] = frozenset()


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8080
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class RequestGuardMiddleware:
    """ASGI middleware enforcing a :class:`RequestPolicy` on HTTP requests and WebSockets."""

    def __init__(self, app: ASGIApp, policy: RequestPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        error = self.refusal(scope)
        if error is None:
            await self.app(scope, receive, send)
            return
        await refuse(scope, receive, send, error)

    def refusal(self, scope: Scope) -> RequestError | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if self.policy.hosts is not None and _host_name(host) not in self.policy.hosts:
            return BadRequestError(f"this service does not answer to the host {host!r} (a "
                                   "DNS-rebinding page?); configure --allowed-host", "Host")
        origin = headers.get("origin")
        changes = scope["type"] == "websocket" or scope.get("method") not in _SAFE_METHODS
        if origin is None or not changes:
            return None
        try:
            normalized = normalize_origin(origin)
        except ValueError:
            normalized = origin  # "null" (a sandboxed page, a file) and the like
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        own = f"{scheme}://{host.lower()}"
        if normalized == _normalized_or_none(own) or normalized in self.policy.origins:
            return None
        return ForbiddenError(f"a page from {origin} may not change this service; allow its "
                              "origin with --allowed-origin", "Origin")


def _normalized_or_none(origin: str) -> str | None:
    try:
        return normalize_origin(origin)
    except ValueError:
        return None
