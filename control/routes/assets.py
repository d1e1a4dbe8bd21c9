"""Assets: images, fonts and clips, content-addressed by the sha256 of their bytes.

- ``POST /api/v1/assets``: the raw body with its ``Content-Type`` (``X-Filename`` optional), or
  ``multipart/form-data`` with one file part (field ``file``, or the first file). The upload is
  written to a file as it arrives (``control.routes.upload``), hashed and counted; then an image
  or font is validated by decoding it (``control.assets``) and a clip by probing it
  (``control.clips``, in a worker thread). 201 with ``{"id", "kind", "width", "height",
  "bytes", "sha256", "content_type", "name", "created_unix"}`` (clips add ``duration_s``,
  ``fps``, ``has_audio``, ``video_codec``, ``audio_codec``) when new; 200 with the same body
  when those bytes were already stored (same id). 413 over the size limit of its kind (the
  body is never read past it), 415 for other types and codecs, 422 when it does not decode or
  is out of bounds. Nothing is kept of a refused upload.
- ``GET /api/v1/assets``: ``{"assets": [...]}``; ``GET /api/v1/assets/{id}``: the metadata;
  ``GET /api/v1/assets/{id}/data``: the bytes with their content type (clips as a file
  response, with ranges); ``GET /api/v1/assets/{id}/thumbnail.jpg?width=W``: a small JPEG
  (``control.thumbnails``; 404 for sound and fonts).
- ``DELETE /api/v1/assets/{id}``: 204; 409 while a layer uses it (the body lists the layers).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from compositor.scene import Scene, layer_assets
from control.assets import (
    AssetPolicy,
    asset_kind_for,
    declared_kind,
    declared_type,
    validate_asset,
)
from control.clips import clip_info
from control.context import ControlContext, context_of
from control.errors import (
    AssetInUseError,
    AssetNotFoundError,
    QuotaExceededError,
    ResourceNotFoundError,
)
from control.routes.body import json_response, query_width
from control.routes.upload import Received, receive_upload
from control.spool import Spool, Spooled
from control.store.base import AssetInfo, Store
from control.wording import a_or_an

__all__ = ["DEFAULT_THUMBNAIL_WIDTH", "asset_json", "layers_using", "routes"]

DEFAULT_THUMBNAIL_WIDTH = 320


def asset_json(info: AssetInfo) -> dict[str, Any]:
    body: dict[str, Any] = {
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
    if info.is_clip:
        body.update(duration_s=info.duration_s, fps=info.fps, has_audio=info.has_audio,
                    video_codec=info.video_codec, audio_codec=info.audio_codec)
    return body


def layers_using(scene: Scene, asset_id: str) -> tuple[str, ...]:
    """Ids of the layers that draw ``asset_id`` (an image, a clip or a font)."""
    return tuple(layer.id for layer in (*scene.layers, *scene.exiting)
                 if asset_id in layer_assets(layer))


class _Upload:
    """Decides the kind of an upload from its declared type and first bytes (the spool asks
    once), and so its size limit."""

    def __init__(self, policy: AssetPolicy) -> None:
        self.policy = policy
        self.kind = ""
        self.declared: str | None = None

    def spool(self, folder: Path) -> Callable[[str | None], Spool]:
        def make(declared: str | None) -> Spool:
            self.declared = declared
            return Spool(folder, self.classify)
        return make

    def classify(self, head: bytes) -> int:
        self.kind = asset_kind_for(self.declared, head)
        return self.policy.limit_for(self.kind)

    def limit_for(self, content_type: str | None) -> int:
        """The most bytes an upload declared as ``content_type`` may have (None: any)."""
        kind = None if content_type is None else declared_kind(content_type)
        return self.policy.max_upload_bytes if kind is None else self.policy.limit_for(kind)


async def upload_asset(request: Request) -> Response:
    ctx = context_of(request)
    policy = ctx.asset_policy
    upload = _Upload(policy)
    folder = await asyncio.to_thread(ctx.store.upload_dir)
    spool, received = await receive_upload(request, upload.spool(folder), upload.limit_for)
    try:
        spooled = await spool.finish()
        if upload.kind == "clip":
            stored, created = await _keep_clip(ctx, spooled, received)
        else:
            stored, created = await _keep_file(ctx, spooled, received)
    finally:
        spool.discard()
    return json_response(asset_json(stored), status=201 if created else 200,
                         headers={"Location": f"/api/v1/assets/{stored.id}"})


async def _keep_file(ctx: ControlContext, spooled: Spooled, received: Received
                     ) -> tuple[AssetInfo, bool]:
    """Validate an image or font (at most ``max_bytes``: read into memory) and keep it."""
    data = await asyncio.to_thread(spooled.path.read_bytes)
    # Decoding an image is CPU work: off the event loop, and at most two at a time.
    async with ctx.decode_slots:
        info = await asyncio.to_thread(validate_asset, data, received.content_type,
                                       received.filename, policy=ctx.asset_policy)
    try:
        return await ctx.store.asset_info(info.id), False
    except AssetNotFoundError:
        await _check_quota(ctx.store, ctx.asset_policy, info)
        return await ctx.store.put_asset(data, info), True


async def _keep_clip(ctx: ControlContext, spooled: Spooled, received: Received
                     ) -> tuple[AssetInfo, bool]:
    """Probe a clip (test-decoding it) and move its file into the store."""
    try:
        return await ctx.store.asset_info(spooled.sha256), False
    except AssetNotFoundError:
        pass
    async with ctx.decode_slots:
        info = await asyncio.to_thread(
            clip_info, spooled.path, sha256=spooled.sha256, size=spooled.size,
            head=spooled.head, declared=declared_type(received.content_type),
            name=received.filename, max_seconds=ctx.asset_policy.max_clip_seconds)
    await _check_quota(ctx.store, ctx.asset_policy, info)
    return await ctx.store.put_asset_file(spooled.path, info), True


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
    headers = {"ETag": f'"{info.sha256}"', "Cache-Control": "public, max-age=31536000, immutable"}
    if info.is_clip:  # gigabytes: streamed from the file, with Range support
        return FileResponse(await store.asset_file(asset_id), media_type=info.content_type,
                            headers=headers)
    return Response(await store.get_asset(asset_id), media_type=info.content_type,
                    headers=headers)



async def get_thumbnail(request: Request) -> Response:
    ctx = context_of(request)
    width = query_width(request, DEFAULT_THUMBNAIL_WIDTH, 1920)
    info = await ctx.store.asset_info(str(request.path_params["asset_id"]))
    jpeg = await ctx.thumbnails.get(ctx.store, info, width)
    if jpeg is None:
        raise ResourceNotFoundError(f"asset {info.id!r} is {a_or_an(info.kind)}: it has no "
                                    "picture",
                                    "asset_id")
    return Response(jpeg, media_type="image/jpeg",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


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
        Route("/api/v1/assets/{asset_id}/thumbnail.jpg", get_thumbnail, methods=["GET"],
              name="get_asset_thumbnail"),
        Route("/api/v1/assets/{asset_id}", delete_asset, methods=["DELETE"],
              name="delete_asset"),
    ]
