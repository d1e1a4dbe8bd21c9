"""Live inputs (CONTRACT v1.1 "Inputs"): definitions kept in the store, statuses from the readers.

- ``POST /api/v1/inputs``: ``{"id"?, "url", "latency_ms"?, "loss"?: {"hold_ms"?, "then"?}}``
  (rules: ``compositor.inputs.spec``) -> 201 with the input's status and ``Location``; 422 with
  the path of a bad field (an unsupported scheme, a URL without host or port, latency or loss
  out of bounds, unknown fields); 409 when the id exists or :data:`MAX_INPUTS` are defined.
- ``GET /api/v1/inputs``: ``{"inputs": [status, ...]}`` (oldest first);
  ``GET /api/v1/inputs/{id}``: the status (404 when unknown).
- ``DELETE /api/v1/inputs/{id}``: 204; 409 while a layer uses it (the message names them).
- ``GET /api/v1/inputs/{id}/thumbnail.jpg?width=W``: the current picture as a JPEG (16..1920
  px wide, default 320); 404 before the first picture (or where no reader runs).

URLs are only ever shown redacted (credentials, query strings and RTMP stream keys as ``****``).
"""

from __future__ import annotations

import asyncio
import secrets
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.inputs.errors import InputSpecError
from compositor.inputs.spec import InputSpec, input_spec_from_json
from compositor.scene import Scene, VideoContent
from control.context import context_of
from control.errors import (
    QuotaExceededError,
    RequestConflictError,
    RequestValidationError,
    ResourceNotFoundError,
)
from control.inputs import inputs_of
from control.routes.body import json_response, query_width, read_json

__all__ = ["MAX_INPUTS", "layers_using_input", "routes"]

MAX_INPUTS = 64
"""The most inputs a channel may define (each one is a reader thread and a decoder)."""
_JSON_MAX_BYTES = 16 * 1024


def layers_using_input(scene: Scene, input_id: str) -> tuple[str, ...]:
    """Ids of the layers (exiting ones included) that show ``input_id``."""
    return tuple(layer.id for layer in (*scene.layers, *scene.exiting)
                 if isinstance(layer.content, VideoContent) and layer.content.input == input_id)


async def _spec(request: Request, input_id: str) -> InputSpec:
    spec = await context_of(request).store.get_input(input_id)
    if spec is None:
        raise ResourceNotFoundError(f"no input {input_id!r}", "input_id")
    return spec


async def create_input(request: Request) -> Response:
    ctx = context_of(request)
    body = await read_json(request, _JSON_MAX_BYTES)
    if isinstance(body, dict) and "created_unix" in body:
        raise RequestValidationError("set by the server", "created_unix")
    try:
        spec = input_spec_from_json(body, default_id=f"in-{secrets.token_hex(4)}",
                                    created_unix=time.time())
    except InputSpecError as exc:
        raise RequestValidationError(exc.reason, exc.path) from exc
    existing = await ctx.store.list_inputs()
    if any(s.id == spec.id for s in existing):
        raise RequestConflictError(f"an input {spec.id!r} exists: delete it first", "id")
    if len(existing) >= MAX_INPUTS:
        raise QuotaExceededError(f"the channel has {len(existing)} inputs, the most it may "
                                 f"have ({MAX_INPUTS}): delete unused ones first")
    await ctx.store.put_input(spec)
    inputs = inputs_of(request)
    await inputs.changed()
    return json_response(inputs.status(spec), status=201,
                         headers={"Location": f"/api/v1/inputs/{spec.id}"})


async def list_inputs(request: Request) -> Response:
    inputs = inputs_of(request)
    specs = await context_of(request).store.list_inputs()
    return json_response({"inputs": [inputs.status(spec) for spec in specs]})


async def get_input(request: Request) -> Response:
    spec = await _spec(request, str(request.path_params["input_id"]))
    return json_response(inputs_of(request).status(spec))


async def delete_input(request: Request) -> Response:
    ctx = context_of(request)
    spec = await _spec(request, str(request.path_params["input_id"]))
    using = layers_using_input(await ctx.store.read(), spec.id)
    if using:
        raise RequestConflictError(f"input {spec.id!r} is shown by layer(s) "
                                   f"{', '.join(using)}: remove them first", "input_id")
    await ctx.store.delete_input(spec.id)
    await inputs_of(request).changed()
    return Response(status_code=204)



async def get_thumbnail(request: Request) -> Response:
    width = query_width(request, 320, 1920)
    spec = await _spec(request, str(request.path_params["input_id"]))
    jpeg = await asyncio.to_thread(inputs_of(request).thumbnail_jpeg, spec.id, width)
    if jpeg is None:
        raise ResourceNotFoundError(f"input {spec.id!r} has no picture (yet)", "input_id")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/inputs", create_input, methods=["POST"], name="create_input"),
        Route("/api/v1/inputs", list_inputs, methods=["GET"], name="list_inputs"),
        Route("/api/v1/inputs/{input_id}", get_input, methods=["GET"], name="get_input"),
        Route("/api/v1/inputs/{input_id}", delete_input, methods=["DELETE"],
              name="delete_input"),
        Route("/api/v1/inputs/{input_id}/thumbnail.jpg", get_thumbnail, methods=["GET"],
              name="input_thumbnail"),
    ]
