"""``GET /openapi.json``: the OpenAPI 3.1 document (``control.openapi``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from control.context import context_of
from control.openapi import openapi_document

__all__ = ["routes"]


async def openapi(request: Request) -> Response:
    ctx = context_of(request)
    required = ctx.config.api_token is not None
    return JSONResponse(openapi_document(ctx.limits, token_required=required))


def routes() -> list[BaseRoute]:
    return [Route("/openapi.json", openapi, methods=["GET"], name="openapi")]
