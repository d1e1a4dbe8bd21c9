"""Cues: ``/api/v1/cues`` (create, list), ``/api/v1/cues/{id}`` (read, replace, delete) and
``POST /api/v1/cues/{id}/take``.

- ``POST /api/v1/cues`` ``{"id"?, "name", "ops": [...], "if_version"?}`` → 201, the cue (409
  ``conflict`` when the id exists, 409 ``quota_exceeded`` past the most cues allowed).
- ``GET /api/v1/cues`` → ``{"cues": [...]}`` by name; ``GET /api/v1/cues/{id}`` → the cue.
- ``PUT /api/v1/cues/{id}`` → 200, the cue (created when absent); ``DELETE`` → 204.
- ``POST /api/v1/cues/{id}/take`` ``{"at"?, "request_id"?}`` (an empty body is allowed) → 200
  ``{"version": N}`` (``control.cues.take_cue``).

WebSocket clients of this process hear ``{"type": "cue.changed", "cue": {...}}``,
``{"type": "cue.removed", "id": ...}`` and ``{"type": "cue.taken", "cue": id, "version": N}``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import SceneValidationError
from control.context import context_of
from control.cues import announce, cue_json, decode_cue, take_cue
from control.errors import CueNotFoundError, RequestConflictError
from control.routes.body import json_response, read_body, read_json
from control.store.base import Cue

__all__ = ["routes"]


async def _stored(request: Request, cue: Cue, status: int) -> Response:
    ctx = context_of(request)
    cue = await ctx.store.put_cue(cue)
    announce(ctx.hub, {"type": "cue.changed", "cue": cue_json(cue)})
    return json_response(cue_json(cue), status=status)


async def create_cue(request: Request) -> Response:
    ctx = context_of(request)
    cue = decode_cue(await read_json(request, ctx.json_max_bytes), ctx.committer)
    try:
        await ctx.store.get_cue(cue.id)
    except CueNotFoundError:
        return await _stored(request, cue, 201)
    raise RequestConflictError(f"a cue with id {cue.id!r} exists: PUT replaces it", "id")


async def list_cues(request: Request) -> Response:
    cues = await context_of(request).store.list_cues()
    return json_response({"cues": [cue_json(cue) for cue in cues]})


async def get_cue(request: Request) -> Response:
    cue = await context_of(request).store.get_cue(request.path_params["id"])
    return json_response(cue_json(cue))


async def put_cue(request: Request) -> Response:
    ctx = context_of(request)
    cue_id = request.path_params["id"]
    body = await read_json(request, ctx.json_max_bytes)
    try:
        previous: Cue | None = await ctx.store.get_cue(cue_id)
    except CueNotFoundError:
        previous = None
    cue = decode_cue(body, ctx.committer, cue_id=cue_id, previous=previous)
    return await _stored(request, cue, 200 if previous else 201)


async def delete_cue(request: Request) -> Response:
    ctx = context_of(request)
    cue_id = request.path_params["id"]
    await ctx.store.delete_cue(cue_id)
    announce(ctx.hub, {"type": "cue.removed", "id": cue_id})
    return Response(status_code=204)


async def _take_body(request: Request) -> dict[str, Any]:
    ctx = context_of(request)
    if request.headers.get("content-length") in (None, "0") and \
            not request.headers.get("content-type"):
        await read_body(request, ctx.json_max_bytes)
        return {}
    body = await read_json(request, ctx.json_max_bytes)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise SceneValidationError("", 'the body must be an object {"at"?, "request_id"?}')
    for key in body:
        if key not in ("at", "request_id"):
            raise SceneValidationError(str(key), "unknown field")
    return body


async def take(request: Request) -> Response:
    ctx = context_of(request)
    body = await _take_body(request)
    version = await take_cue(ctx, request.path_params["id"], at=body.get("at"),
                             request_id=body.get("request_id"))
    return json_response({"version": version}, version=version)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/cues", list_cues, methods=["GET"], name="list_cues"),
        Route("/api/v1/cues", create_cue, methods=["POST"], name="create_cue"),
        Route("/api/v1/cues/{id}", get_cue, methods=["GET"], name="get_cue"),
        Route("/api/v1/cues/{id}", put_cue, methods=["PUT"], name="put_cue"),
        Route("/api/v1/cues/{id}", delete_cue, methods=["DELETE"], name="delete_cue"),
        Route("/api/v1/cues/{id}/take", take, methods=["POST"], name="take_cue"),
    ]
