"""Preview before air (``control.previews``): ``POST /api/v1/preview`` and
``GET /api/v1/cues/{id}/preview.jpg?frame_offset=&width=`` → ``image/jpeg``, nothing
committed. Rendered between program frames by the process that renders; 503 on a
``--no-render`` replica or when the render thread has no time for it now (program first).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import SceneValidationError
from control.context import context_of
from control.previews import MAX_FRAME_OFFSET, PreviewTarget, preview_target
from control.routes.body import decimal, read_json

__all__ = ["routes"]


async def _jpeg(request: Request, target: PreviewTarget) -> Response:
    jpeg = await context_of(request).program.preview_scene(target.scene, target.frame,
                                                           target.width)
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


async def post_preview(request: Request) -> Response:
    ctx = context_of(request)
    body = await read_json(request, ctx.json_max_bytes)
    return await _jpeg(request, await preview_target(ctx, body))


def _query_number(request: Request, name: str, high: int) -> int | None:
    text = request.query_params.get(name)
    if text is None:
        return None
    value = decimal(text, 7)
    if value is None or value > high:
        raise SceneValidationError(name, f"must be an integer from 0 to {high}")
    return value


async def cue_preview(request: Request) -> Response:
    for key in request.query_params:
        if key not in ("frame_offset", "width"):
            raise SceneValidationError(key, "unknown query parameter: use frame_offset, width")
    offset = _query_number(request, "frame_offset", MAX_FRAME_OFFSET) or 0
    width = _query_number(request, "width", 7680)
    body = {"cue": request.path_params["id"], "width": width}
    return await _jpeg(request, await preview_target(context_of(request), body,
                                                     frame_offset=offset))


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/preview", post_preview, methods=["POST"], name="post_preview"),
        Route("/api/v1/cues/{id}/preview.jpg", cue_preview, methods=["GET"],
              name="cue_preview"),
    ]
