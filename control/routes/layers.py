"""Layers one at a time: each mutation is one op committed through the store.

- ``GET /api/v1/layers``: ``{"version": N, "layers": [...]}`` in creation order; each layer has
  its ``z`` (draw order is by ``z``, ties by creation order).
- ``POST /api/v1/layers``: create; the id is assigned (``layer-xxxxxxxx``) when absent. 201 with
  the layer, ``Location`` and ``ETag`` of the new version.
- ``GET /api/v1/layers/{id}``: the layer (``ETag`` is the scene version).
- ``PATCH /api/v1/layers/{id}``: a JSON merge patch (RFC 7396) of the layer: one update op.
- ``DELETE /api/v1/layers/{id}``: 204.

Mutations honour ``If-Match: "<version>"`` (412 when stale). Error paths are relative to the body
the client sent (``transform.x``), not to the internal op.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import LayerNotFoundError, SceneError, SceneValidationError
from compositor.scene import AddLayer, Op, RemoveLayer, UpdateLayer, find_layer
from compositor.scene.codec import decode_layer, encode_layer
from control.committer import new_layer_id
from control.context import context_of
from control.routes.body import etag, if_match, if_match_failures, json_response, read_json
from control.store.base import CommitRecord

__all__ = ["URL_LAYER", "routes"]

URL_LAYER = "layer_id"
"""The path a 404 for a missing layer names: the URL parameter (GET, PATCH and DELETE alike)."""


def _relative(exc: SceneError, prefix: str) -> SceneError:
    """The same error with its path made relative to the request body; a missing layer is
    the one the URL names (``layer_id``), on every method alike."""
    if isinstance(exc, LayerNotFoundError):
        return LayerNotFoundError(URL_LAYER, exc.reason)
    path = exc.path
    for cut in (prefix + ".", prefix):
        if path.startswith(cut):
            path = path[len(cut):]
            break
    else:
        if path.startswith("ops[0]"):
            path = ""
    return type(exc)(path, exc.reason)


async def _commit(request: Request, op: Op, prefix: str) -> CommitRecord:
    """Commit one op against the ``If-Match`` version (412 when stale)."""
    ctx = context_of(request)
    try:
        with if_match_failures():
            return await ctx.committer.commit((op,), if_version=if_match(request),
                                              source="http")
    except SceneError as exc:
        raise _relative(exc, prefix) from None


def _layer_id(request: Request) -> str:
    return str(request.path_params["layer_id"])


async def list_layers(request: Request) -> Response:
    scene = await context_of(request).store.read()
    return json_response(
        {"version": scene.version, "layers": [encode_layer(layer) for layer in scene.layers]},
        version=scene.version)


async def create_layer(request: Request) -> Response:
    ctx = context_of(request)
    body: Any = await read_json(request, ctx.json_max_bytes)
    layer = decode_layer(body, "", limits=ctx.limits, new_id=new_layer_id)
    record = await _commit(request, AddLayer(layer), "ops[0].layer")
    # The layer as stored: landing resolved what the commit's frame decides (a clip's
    # start_frame, "on_commit" keyframe starts). Gone already (removed right after): as sent.
    stored = find_layer(await ctx.store.read(), layer.id) or layer
    return json_response(encode_layer(stored), version=record.version, status=201,
                         headers={"Location": f"/api/v1/layers/{layer.id}"})


async def get_layer(request: Request) -> Response:
    scene = await context_of(request).store.read()
    layer = find_layer(scene, _layer_id(request))
    if layer is None:
        raise LayerNotFoundError(URL_LAYER, f"no layer with id {_layer_id(request)!r}")
    return json_response(encode_layer(layer), version=scene.version)


async def patch_layer(request: Request) -> Response:
    ctx = context_of(request)
    body: Any = await read_json(request, ctx.json_max_bytes)
    if not isinstance(body, dict):
        raise SceneValidationError("", "a merge patch of a layer must be a JSON object")
    record = await _commit(request, UpdateLayer(_layer_id(request), body), "ops[0].patch")
    # The scene may already be newer than our commit; the layer as of our version is in the
    # journal's op, but re-reading is simpler and returns what is current.
    scene = await ctx.store.read()
    layer = find_layer(scene, _layer_id(request))
    if layer is None:  # removed by someone else right after our commit
        raise LayerNotFoundError(URL_LAYER, f"no layer with id {_layer_id(request)!r}")
    return json_response(encode_layer(layer), version=record.version)


async def delete_layer(request: Request) -> Response:
    record = await _commit(request, RemoveLayer(_layer_id(request)), "ops[0]")
    return Response(status_code=204, headers={"ETag": etag(record.version)})


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/layers", list_layers, methods=["GET"], name="list_layers"),
        Route("/api/v1/layers", create_layer, methods=["POST"], name="create_layer"),
        Route("/api/v1/layers/{layer_id}", get_layer, methods=["GET"], name="get_layer"),
        Route("/api/v1/layers/{layer_id}", patch_layer, methods=["PATCH"], name="patch_layer"),
        Route("/api/v1/layers/{layer_id}", delete_layer, methods=["DELETE"],
              name="delete_layer"),
    ]
