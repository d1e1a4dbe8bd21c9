"""The program output: state, start/stop streaming, and the preview frame.

- ``GET /api/v1/output``: the program's status (state, redacted URL, frames, dropped, fps,
  encoder, ...).
- ``POST /api/v1/output/start``: ``{"url": "rtmp://..."}`` (optional when an output is
  configured; an empty body is allowed); 200 with the new status. Only ``rtmp://`` and
  ``rtmps://`` URLs are accepted over the API (files are for the command line).
- ``POST /api/v1/output/stop``: 200 with the new status.
- ``GET /api/v1/preview.jpg?width=W``: the latest frame as JPEG, 503 when there is none (a
  ``--no-render`` replica, or before the first frame).

A replica that does not render answers 503 to start/stop and preview.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import SceneValidationError
from control.context import context_of
from control.errors import ProgramUnavailableError
from control.routes.body import json_response, query_width, read_body, read_json

__all__ = ["MAX_URL_CHARS", "check_stream_url", "routes"]

_SCHEMES = ("rtmp://", "rtmps://")
MAX_URL_CHARS = 2048


async def get_output(request: Request) -> Response:
    return json_response(context_of(request).program.status())


async def _start_url(request: Request) -> str | None:
    ctx = context_of(request)
    if request.headers.get("content-length") in (None, "0") and \
            not request.headers.get("content-type"):
        await read_body(request, ctx.json_max_bytes)
        return None
    body = await read_json(request, ctx.json_max_bytes)
    if body is None:
        return None
    if not isinstance(body, dict) or any(key != "url" for key in body):
        raise SceneValidationError("", 'the body must be {"url": "rtmp://..."} or empty')
    url = body.get("url")
    return None if url is None else check_stream_url(url, "url")


def check_stream_url(url: object, path: str) -> str:
    """``url`` when it is an output URL the API may start (``rtmp://`` or ``rtmps://``, at most
    :data:`MAX_URL_CHARS`, no spaces); else ``SceneValidationError`` at ``path``."""
    if not isinstance(url, str) or not url.startswith(_SCHEMES) or len(url) > MAX_URL_CHARS \
            or any(c.isspace() for c in url):
        raise SceneValidationError(path, "must be an rtmp:// or rtmps:// URL")
    return url


async def start_output(request: Request) -> Response:
    url = await _start_url(request)
    return json_response(await context_of(request).program.start_output(url))


async def stop_output(request: Request) -> Response:
    await read_body(request, context_of(request).json_max_bytes)
    return json_response(await context_of(request).program.stop_output())



async def preview(request: Request) -> Response:
    width = query_width(request, None, 7680)
    jpeg = context_of(request).program.preview_jpeg(width)
    if jpeg is None:
        raise ProgramUnavailableError("no preview frame: this process is not rendering yet")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/output", get_output, methods=["GET"], name="get_output"),
        Route("/api/v1/output/start", start_output, methods=["POST"], name="start_output"),
        Route("/api/v1/output/stop", stop_output, methods=["POST"], name="stop_output"),
        Route("/api/v1/preview.jpg", preview, methods=["GET"], name="preview"),
    ]
