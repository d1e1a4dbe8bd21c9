"""Assets: images and fonts, content-addressed by the sha256 of their bytes.

- ``POST /api/v1/assets``: the raw body with its ``Content-Type`` (``X-Filename`` optional), or
  ``multipart/form-data`` with one file part (field ``file``, or the first file). 201 with
  ``{"id", "kind", "width", "height", "bytes", "sha256", "content_type", "name"}`` when new;
  200 with the same body when those bytes were already stored (same id). 413 over the size limit
  (the body is never read past it), 415 for other types, 422 when it does not decode or is a
  decompression bomb.
- ``GET /api/v1/assets``: ``{"assets": [...]}``; ``GET /api/v1/assets/{id}``: the metadata;
  ``GET /api/v1/assets/{id}/data``: the bytes with their content type.
- ``DELETE /api/v1/assets/{id}``: 204; 409 while a layer uses it (the body lists the layers).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.scene import Scene, layer_assets
from control.assets import AssetPolicy, validate_asset
from control.context import context_of
from control.errors import (
    AssetInUseError,
    AssetNotFoundError,
    QuotaExceededError,
    RequestValidationError,
)
from control.routes.body import json_response, limited_receive, read_body
from control.store.base import AssetInfo, Store

__all__ = ["asset_json", "layers_using", "routes"]


def asset_json(info: AssetInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "kind": info.kind,
        "content_type": info.content_type,
        "width": info.width,
        "height": info.height,
        "bytes": info.bytes,
        "sha256": info.sha256,
        "name": info.name,
        "created_unix": info.created_unix,
    }


def layers_using(scene: Scene, asset_id: str) -> tuple[str, ...]:
    """Ids of the layers that draw ``asset_id`` (as an image or as a font)."""
    return tuple(layer.id for layer in (*scene.layers, *scene.exiting)
                 if asset_id in layer_assets(layer))


async def _multipart(request: Request, limit: int) -> tuple[bytes, str | None, str | None]:
    limited = limited_receive(request, limit)
    async with limited.form(max_files=1, max_fields=8) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if upload is None:
            raise RequestValidationError("the form has no file part", "file")
        data = await upload.read()
        return data, upload.content_type, upload.filename


async def upload_asset(request: Request) -> Response:
    ctx = context_of(request)
    limit = ctx.asset_policy.max_bytes
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "multipart/form-data":
        data, part_type, name = await _multipart(request, limit)
    else:
        data, part_type = await read_body(request, limit), content_type
        name = request.headers.get("x-filename")
    # Decoding an image is CPU work: off the event loop, and at most two at a time.
    async with ctx.decode_slots:
        info = await asyncio.to_thread(validate_asset, data, part_type,
                                       name[:256] if name else None, policy=ctx.asset_policy)
    try:
        existing = await ctx.store.asset_info(info.id)
    except AssetNotFoundError:
        await _check_quota(ctx.store, ctx.asset_policy, info)
        stored = await ctx.store.put_asset(data, info)
        return json_response(asset_json(stored), status=201,
                             headers={"Location": f"/api/v1/assets/{stored.id}"})
    return json_response(asset_json(existing), status=200,
                         headers={"Location": f"/api/v1/assets/{existing.id}"})


async def _check_quota(store: Store, policy: AssetPolicy, info: AssetInfo) -> None:
    """409 when one more asset, of ``info.bytes``, would pass the store's quotas."""
    assets = await store.list_assets()
    if len(assets) + 1 > policy.max_count:
        raise QuotaExceededError(f"the store holds {len(assets)} assets, the most it may hold "
                                 f"({policy.max_count}): delete unused ones first")
    total = sum(asset.bytes for asset in assets) + info.bytes
    if total > policy.max_total_bytes:
        raise QuotaExceededError(f"the assets would take {total} bytes, more than the quota of "
                                 f"{policy.max_total_bytes}: delete unused ones first")


async def list_assets(request: Request) -> Response:
    infos = await context_of(request).store.list_assets()
    return json_response({"assets": [asset_json(info) for info in infos]})


async def get_asset(request: Request) -> Response:
    info = await context_of(request).store.asset_info(str(request.path_params["asset_id"]))
    return json_response(asset_json(info))


async def get_asset_data(request: Request) -> Response:
    store = context_of(request).store
    asset_id = str(request.path_params["asset_id"])
    info = await store.asset_info(asset_id)
    data = await store.get_asset(asset_id)
    return Response(data, media_type=info.content_type,
                    headers={"ETag": f'"{info.sha256}"',
                             "Cache-Control": "public, max-age=31536000, immutable"})


async def delete_asset(request: Request) -> Response:
    store = context_of(request).store
    asset_id = str(request.path_params["asset_id"])
    await store.asset_info(asset_id)  # 404 first
    users = layers_using(await store.read(), asset_id)
    if users:
        raise AssetInUseError(asset_id, users)
    await store.delete_asset(asset_id)
    return Response(status_code=204)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/assets", list_assets, methods=["GET"], name="list_assets"),
        Route("/api/v1/assets", upload_asset, methods=["POST"], name="upload_asset"),
        Route("/api/v1/assets/{asset_id}", get_asset, methods=["GET"], name="get_asset"),
        Route("/api/v1/assets/{asset_id}/data", get_asset_data, methods=["GET"],
              name="get_asset_data"),
        Route("/api/v1/assets/{asset_id}", delete_asset, methods=["DELETE"],
              name="delete_asset"),
    ]
