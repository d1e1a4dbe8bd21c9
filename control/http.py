"""Errors to HTTP: the one place where exceptions become status codes and error bodies.

Every error body has the shape ``{"error": {"code", "message", "path"}}`` (CONTRACT.md), with
extra top-level members where they help (a conflict carries ``"version"``: the current one, an
asset in use its ``"layers"``). :data:`STATUSES` maps each error class of the tree (drawn in
:mod:`compositor.errors`) to its status and code; a class not in it takes its nearest mapped base,
and anything else is a 500 ``internal_error`` (logged, message hidden). Routes raise; the one
Starlette exception handler (:func:`exception_handlers`) renders the error, and the WebSocket
endpoint answers with the same :func:`error_for`, so a refused commit reads the same on both.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from compositor.errors import (
    CompositorError,
    DuplicateLayerError,
    LayerNotFoundError,
    SceneError,
    SceneValidationError,
)
from control.errors import (
    AssetInUseError,
    AssetNotFoundError,
    AssetRejectedError,
    AssetTooLargeError,
    AssetTypeError,
    BadRequestError,
    BodyTooLargeError,
    ForbiddenError,
    PreconditionFailedError,
    ProgramArgumentError,
    ProgramError,
    ProgramUnavailableError,
    QuotaExceededError,
    RequestConflictError,
    RequestError,
    RequestValidationError,
    ResourceNotFoundError,
    StoreUnavailableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    VersionConflictError,
)

__all__ = ["STATUSES", "ApiError", "error_for", "error_response", "exception_handlers",
           "refuse"]

_log = logging.getLogger(__name__)

STATUSES: dict[type[Exception], tuple[int, str]] = {
    SceneError: (422, "scene_error"),
    SceneValidationError: (422, "validation_error"),
    LayerNotFoundError: (404, "not_found"),
    DuplicateLayerError: (409, "conflict"),
    VersionConflictError: (409, "conflict"),
    PreconditionFailedError: (412, "precondition_failed"),
    StoreUnavailableError: (503, "store_unavailable"),
    AssetNotFoundError: (404, "not_found"),
    AssetInUseError: (409, "asset_in_use"),
    AssetRejectedError: (422, "validation_error"),
    AssetTooLargeError: (413, "too_large"),
    AssetTypeError: (415, "unsupported_media_type"),
    RequestError: (400, "bad_request"),
    BadRequestError: (400, "bad_request"),
    UnauthorizedError: (401, "unauthorized"),
    ForbiddenError: (403, "forbidden"),
    ResourceNotFoundError: (404, "not_found"),
    RequestConflictError: (409, "conflict"),
    BodyTooLargeError: (413, "too_large"),
    UnsupportedMediaTypeError: (415, "unsupported_media_type"),
    RequestValidationError: (422, "validation_error"),
    QuotaExceededError: (409, "quota_exceeded"),
    ProgramError: (409, "conflict"),
    ProgramArgumentError: (422, "validation_error"),
    ProgramUnavailableError: (503, "unavailable"),
}
"""Error class -> (HTTP status, error code); subclasses not listed take their base's entry."""

_INTERNAL = (500, "internal_error")

# Starlette's own errors (unknown path, wrong method) carry their status; these name it.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    426: "upgrade_required",
    503: "unavailable",
}


class ApiError:
    """A mapped error: status, code, message, path and extra top-level body members."""

    __slots__ = ("code", "extra", "message", "path", "status")

    def __init__(
        self, status: int, code: str, message: str, path: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON error body (``error`` object plus extras such as ``version``)."""
        return {
            "error": {"code": self.code, "message": self.message, "path": self.path},
            **self.extra,
        }


def _status_of(exc: BaseException) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUSES:
            return STATUSES[cls]
    return _INTERNAL


def _details(exc: CompositorError) -> tuple[str, str | None, dict[str, Any]]:
    """The message, path and extra body members an error carries."""
    if isinstance(exc, SceneError):
        return exc.reason, exc.path or None, {}
    if isinstance(exc, VersionConflictError):
        path = "If-Match" if isinstance(exc, PreconditionFailedError) else "if_version"
        return str(exc), path, {"version": exc.current}
    if isinstance(exc, RequestError):
        return exc.message, exc.path, {}
    if isinstance(exc, ProgramError):
        return str(exc), exc.path, {}
    if isinstance(exc, AssetInUseError):
        return str(exc), None, {"layers": list(exc.layer_ids)}
    return str(exc), None, {}


def error_for(exc: BaseException) -> ApiError:
    """Map an exception to an :class:`ApiError` through :data:`STATUSES`.

    Unknown exceptions (and engine errors not in the table) become a 500 whose message hides the
    details (they are logged with a traceback instead).
    """
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return ApiError(exc.status_code, code, str(exc.detail), None)
    status, code = _status_of(exc)
    if status == 500 or not isinstance(exc, CompositorError):
        return ApiError(*_INTERNAL, "internal error (logged on the server)", None)
    message, path, extra = _details(exc)
    return ApiError(status, code, message, path, extra)


def error_response(exc: BaseException, *, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON response for ``exc``; 5xx other than 503 are logged with their traceback."""
    error = error_for(exc)
    if error.status >= 500 and error.status != 503:
        _log.error("unhandled error: %r", exc, exc_info=exc)
    extra_headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    extra_headers.update(headers or {})  # Starlette's own errors carry headers (405: Allow)
    if error.status == 401:
        extra_headers["WWW-Authenticate"] = 'Bearer realm="compositor"'
    if error.status == 413:
        # The rest of the body is not wanted: closing stops the client sending it (RFC 9110
        # 15.5.14); otherwise the server would go on receiving it, only to throw it away.
        extra_headers["Connection"] = "close"
    return JSONResponse(error.body(), status_code=error.status, headers=extra_headers)


async def refuse(scope: Scope, receive: Receive, send: Send, error: RequestError) -> None:
    """Answer a request that middleware refuses: the error response over HTTP; for a WebSocket
    the same response as a denial where the server supports it, else close code 1008."""
    response = error_response(error)
    if scope["type"] == "http":
        await response(scope, receive, send)
        return
    websocket = WebSocket(scope, receive, send)
    if "websocket.http.response" in scope.get("extensions", {}):
        await websocket.send_denial_response(response)
    else:
        await websocket.close(code=1008, reason=error.message[:120])


async def _handle(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        return error_response(exc, headers={"Allow": _allowed_methods(request)})
    return error_response(exc)


def _allowed_methods(request: Request) -> str:
    """Every method some route of the app answers at the request's path (RFC 9110 wants them
    all in a 405's ``Allow``; Starlette names only those of the first route matching the path,
    and one path here has a route per method)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def exception_handlers() -> dict[Any, Any]:
    """Starlette ``exception_handlers``: the one handler, :func:`error_response`, for all.

    Errors of the tree and Starlette's own are rendered by the exception middleware, around the
    routes that raise them; ``Exception`` goes to Starlette's outermost middleware, which answers
    with our 500 body and still re-raises (so it is logged, and tests using TestClient see it).
    """
    return {
        HTTPException: _handle,
        CompositorError: _handle,
        Exception: _handle,
    }
