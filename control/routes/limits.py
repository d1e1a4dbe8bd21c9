"""``GET /api/v1/limits``: the bounds, choices and builtin fonts of layer fields for this server
(``compositor.scene.codec.limits_document``), so that clients such as the web page copy none of
them. Behind the same bearer auth as the rest of ``/api``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from compositor.scene.codec import limits_document
from control.context import context_of

__all__ = ["routes"]


async def get_limits(request: Request) -> Response:
    return JSONResponse(limits_document(context_of(request).limits))


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/limits", get_limits, methods=["GET"], name="get_limits")]
