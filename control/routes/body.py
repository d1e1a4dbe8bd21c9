"""Reading requests safely: bounded bodies, JSON with a clear 400/413/415, ``If-Match``.

Bodies are never read unbounded: ``Content-Length`` is checked first, then the stream is counted
as it arrives, and the request is refused with 413 the moment it passes the limit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, overload

from starlette.requests import Request
from starlette.responses import JSONResponse

from compositor.errors import SceneValidationError
from control.errors import (
    BadRequestError,
    BodyTooLargeError,
    PreconditionFailedError,
    UnsupportedMediaTypeError,
    VersionConflictError,
)
from control.json_text import parse_json

__all__ = ["check_length", "decimal", "etag", "if_match", "if_match_failures", "json_response",
           "query_width", "read_body", "read_json"]

_JSON_TYPES = ("application/json", "application/merge-patch+json")


def decimal(text: str | None, max_digits: int = 16) -> int | None:
    """``text`` as a non-negative integer when it is 1 to ``max_digits`` ASCII digits, else None
    (``str.isdigit`` alone also takes digits such as "²" that ``int`` refuses)."""
    if text is None or not 0 < len(text) <= max_digits or not text.isascii() \
            or not text.isdigit():
        return None
    return int(text)


@overload
def query_width(request: Request, default: int, maximum: int) -> int: ...
@overload
def query_width(request: Request, default: None, maximum: int) -> int | None: ...
def query_width(request: Request, default: int | None, maximum: int) -> int | None:
    """The ``?width=`` of an image answer (previews, thumbnails): an integer 16..``maximum``,
    ``default`` when absent; 422 with the path ``width`` otherwise."""
    text = request.query_params.get("width")
    if text is None:
        return default
    width = decimal(text, 4)
    if width is None or not 16 <= width <= maximum:
        raise SceneValidationError("width", f"must be an integer between 16 and {maximum}")
    return width


def _too_large(limit: int) -> BodyTooLargeError:
    return BodyTooLargeError(f"the body is larger than the limit of {limit} bytes")


def check_length(request: Request, limit: int) -> None:
    """413 at once when ``Content-Length`` declares more than ``limit`` bytes."""
    declared = request.headers.get("content-length")
    size = decimal(declared, 20)
    if size is not None and size > limit:
        raise _too_large(limit)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or 413 as soon as it passes ``limit`` bytes."""
    check_length(request, limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON: 415 for another declared type, 400 when it does not parse."""
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not declared:  # what a cross-site page can send without asking (see request_guard)
        raise UnsupportedMediaTypeError("say the body is JSON: Content-Type: application/json",
                                        "Content-Type")
    if declared not in _JSON_TYPES and not declared.endswith("+json"):
        raise UnsupportedMediaTypeError(f"send JSON (application/json), not {declared!r}",
                                        "Content-Type")
    return parse_json(await read_body(request, limit))


def if_match(request: Request) -> int | None:
    """The version in ``If-Match: "<version>"`` (``*`` and absence mean any); 400 if unreadable."""
    value = request.headers.get("if-match")
    if value is None or value.strip() == "*":
        return None
    version = decimal(value.strip().removeprefix("W/").strip('"'))
    if version is None:
        raise BadRequestError('If-Match must be a version like "12"', "If-Match")
    return version


@contextlib.contextmanager
def if_match_failures(applies: bool = True) -> Iterator[None]:
    """Inside, the expected version came from ``If-Match`` (when ``applies``): a stale one is
    re-raised as :class:`PreconditionFailedError` (412) rather than a 409 on ``if_version``."""
    try:
        yield
    except VersionConflictError as exc:
        if not applies or isinstance(exc, PreconditionFailedError):
            raise
        raise PreconditionFailedError(exc.expected, exc.current) from None


def etag(version: int) -> str:
    return f'"{version}"'


def json_response(body: Any, *, version: int | None = None, status: int = 200,
                  headers: dict[str, str] | None = None) -> JSONResponse:
    """JSON with ``ETag: "<version>"`` when a version is given."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers["ETag"] = etag(version)
    return JSONResponse(body, status_code=status, headers=all_headers)
