"""Errors to HTTP: the one place where exceptions become status codes and error bodies.

Every error body has the shape ``{"error": {"code", "message", "path"}}`` (CONTRACT.md), with
extra top-level members where they help (a conflict carries ``"version"``: the current one).

=================================  ======  ========================
exception                          status  code
=================================  ======  ========================
SceneValidationError               422     validation_error
LayerNotFoundError                 404     not_found
DuplicateLayerError                409     conflict
VersionConflictError (if_version)  409     conflict
VersionConflictError (If-Match)    412     precondition_failed
AssetNotFoundError                 404     not_found
AssetInUseError                    409     asset_in_use
AssetRejectedError                 .status (413/415/422)
RequestError                       .status and .code
ProgramUnavailableError            503     unavailable
ProgramError                       .status (409/422)
StoreUnavailableError              503     store_unavailable
CorruptDataError, anything else    500     internal_error (logged, message hidden)
=================================  ======  ========================

The WebSocket hub uses :func:`error_for` too, so a refused commit reads the same on both.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from compositor.errors import DuplicateLayerError, LayerNotFoundError, SceneError
from control.errors import (
    AssetInUseError,
    AssetNotFoundError,
    AssetRejectedError,
    ControlError,
    ProgramError,
    ProgramUnavailableError,
    RequestError,
    StoreUnavailableError,
    VersionConflictError,
)

__all__ = ["ApiError", "error_for", "error_response", "exception_handlers"]

_log = logging.getLogger("control.http")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
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


def error_for(exc: BaseException, *, precondition: bool = False) -> ApiError:
    """Map an exception to an :class:`ApiError`.

    ``precondition`` says the expected version came from ``If-Match`` (412) rather than a body's
    ``if_version`` (409). Unknown exceptions become a 500 whose message hides the details (they
    are logged with a traceback instead).
    """
    if isinstance(exc, SceneError):
        status = 404 if isinstance(exc, LayerNotFoundError) else 409 if isinstance(
            exc, DuplicateLayerError) else 422
        return ApiError(status, exc.code, exc.reason, exc.path or None)
    if isinstance(exc, VersionConflictError):
        if precondition:
            return ApiError(412, "precondition_failed", str(exc), "If-Match",
                            {"version": exc.current})
        return ApiError(409, "conflict", str(exc), "if_version", {"version": exc.current})
    if isinstance(exc, RequestError):
        return ApiError(exc.status, exc.code, exc.message, exc.path, dict(exc.extra))
    if isinstance(exc, AssetNotFoundError):
        return ApiError(404, "not_found", str(exc), None)
    if isinstance(exc, AssetInUseError):
        return ApiError(409, "asset_in_use", str(exc), None, {"layers": list(exc.layer_ids)})
    if isinstance(exc, AssetRejectedError):
        return ApiError(exc.status, _HTTP_CODES.get(exc.status, "rejected"), str(exc), None)
    if isinstance(exc, ProgramUnavailableError):
        return ApiError(503, "unavailable", str(exc), exc.path)
    if isinstance(exc, ProgramError):
        return ApiError(exc.status, _HTTP_CODES.get(exc.status, "conflict"), str(exc), exc.path)
    if isinstance(exc, StoreUnavailableError):
        return ApiError(503, "store_unavailable", str(exc), None)
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return ApiError(exc.status_code, code, str(exc.detail), None)
    return ApiError(500, "internal_error", "internal error (logged on the server)", None)


def error_response(
    exc: BaseException, *, precondition: bool = False, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The JSON response for ``exc``; 5xx other than 503 are logged with their traceback."""
    error = error_for(exc, precondition=precondition)
    if error.status >= 500 and error.status != 503:
        _log.error("unhandled error: %r", exc, exc_info=exc)
    extra_headers = dict(headers or {})
    if error.status == 401:
        extra_headers["WWW-Authenticate"] = 'Bearer realm="compositor"'
    return JSONResponse(error.body(), status_code=error.status, headers=extra_headers)


async def _handle(request: Request, exc: Exception) -> Response:
    return error_response(exc)


def exception_handlers() -> dict[Any, Any]:
    """Starlette ``exception_handlers`` mapping every error to :func:`error_response`.

    Our own errors are handled where they are raised; ``Exception`` goes to Starlette's outermost
    middleware, which answers with our 500 body and still re-raises (so it is logged, and tests
    using TestClient see it).
    """
    return {
        HTTPException: _handle,
        SceneError: _handle,
        ControlError: _handle,
        Exception: _handle,
    }
