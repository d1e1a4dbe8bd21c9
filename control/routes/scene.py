"""``GET /api/v1/scene``: the whole scene with ``ETag: "<version>"``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.scene.codec import encode_scene
from control.context import context_of
from control.routes.body import etag, json_response

__all__ = ["routes"]


async def get_scene(request: Request) -> Response:
    scene = await context_of(request).store.read()
    if request.headers.get("if-none-match", "").strip() in (etag(scene.version),
                                                             "W/" + etag(scene.version)):
        return Response(status_code=304, headers={"ETag": etag(scene.version)})
    return json_response(encode_scene(scene), version=scene.version)


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/scene", get_scene, methods=["GET"], name="get_scene")]
