"""The assets part of the OpenAPI document: images, fonts and clips (CONTRACT v1 and v1.1)."""

from __future__ import annotations

from typing import Any

from control.clips import CLIP_TYPES
from control.openapi_refs import error_response, json_response, ref

__all__ = ["asset_paths", "asset_schemas"]

_ASSET_ID = {"name": "asset_id", "in": "path", "required": True,
             "schema": {"type": "string", "description": "hex sha256 of the bytes"}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_NULLABLE_NUMBER = {"type": ["number", "null"]}


def asset_schemas() -> dict[str, Any]:
    """``Asset`` (clip fields null for images and fonts) and ``AssetList``."""
    return {
        "Asset": {"type": "object", "required": ["id", "kind", "bytes", "sha256"], "properties": {
            "id": {"type": "string"}, "kind": {"enum": ["image", "font", "video", "audio"]},
            "content_type": {"type": "string"},
            "width": {"type": ["integer", "null"], "description": "images and videos (display "
                                                                  "size), pixels"},
            "height": {"type": ["integer", "null"]},
            "bytes": {"type": "integer"}, "sha256": {"type": "string"},
            "name": {"type": ["string", "null"]}, "created_unix": {"type": "number"},
            "duration_s": {**_NULLABLE_NUMBER, "description": "clips: seconds"},
            "fps": {**_NULLABLE_NUMBER, "description": "videos: average frame rate"},
            "has_audio": {"type": ["boolean", "null"], "description": "clips: has sound"},
            "video_codec": {"type": ["string", "null"], "description": "FFmpeg's name"},
            "audio_codec": {"type": ["string", "null"]}}},
        "AssetList": {"type": "object", "properties": {
            "assets": {"type": "array", "items": ref("Asset")}}},
    }


def _upload() -> dict[str, Any]:
    def listed(prefix: str) -> str:
        return ", ".join(sorted(t for t in CLIP_TYPES if t.startswith(prefix)))

    content: dict[str, Any] = {
        "image/*": _BINARY, "font/*": _BINARY,
        "video/*": {**_BINARY, "description": f"clips: {listed('video/')}"},
        "audio/*": {**_BINARY, "description": f"sound: {listed('audio/')}"}}
    content["application/octet-stream"] = {**_BINARY, "description": "sniffed from its bytes"}
    content["multipart/form-data"] = {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}}}}
    return {
        "operationId": "upload_asset",
        "summary": "Upload an image (PNG, JPEG, WebP, GIF), a font (TTF, OTF) or a clip "
                   "(MP4, MOV, MKV, WebM, MPEG-TS; MP3, WAV, AAC, Ogg, FLAC), streamed to "
                   "storage and test-decoded before it is kept",
        "requestBody": {"required": True, "content": content},
        "responses": {
            "201": json_response(ref("Asset"), "Stored"),
            "200": json_response(ref("Asset"), "Already stored (same bytes)"),
            "413": error_response("Larger than the limit of its kind (images and fonts "
                                  "32 MiB, clips --max-clip-bytes: 2 GiB); the read stops"),
            "415": error_response("Not a supported type, container or codec"),
            "422": error_response("Does not decode; an image with too many pixels; a clip "
                                  "with zero duration, more than 4096x2160 or longer than "
                                  "--max-clip-seconds")}}


def asset_paths() -> dict[str, Any]:
    """``/api/v1/assets`` and the routes of one asset."""
    missing = {"404": error_response("No such asset")}
    return {
        "/api/v1/assets": {
            "get": {"operationId": "list_assets", "summary": "Every asset",
                    "responses": {"200": json_response(ref("AssetList"), "The assets")}},
            "post": _upload()},
        "/api/v1/assets/{asset_id}": {
            "parameters": [_ASSET_ID],
            "get": {"operationId": "get_asset", "summary": "Asset metadata",
                    "responses": {"200": json_response(ref("Asset"), "Metadata"), **missing}},
            "delete": {"operationId": "delete_asset", "summary": "Delete an unused asset",
                       "responses": {"204": {"description": "Deleted"}, **missing,
                                     "409": error_response("A layer uses it")}}},
        "/api/v1/assets/{asset_id}/data": {
            "parameters": [_ASSET_ID],
            "get": {"operationId": "get_asset_data", "summary": "The asset's bytes (clips "
                    "support Range requests)",
                    "responses": {"200": {"description": "The bytes, with their type",
                                          "content": {"*/*": {}}}, **missing}}},
        "/api/v1/assets/{asset_id}/thumbnail.jpg": {
            "parameters": [_ASSET_ID, {
                "name": "width", "in": "query", "required": False,
                "schema": {"type": "integer", "minimum": 16, "maximum": 1920, "default": 320},
                "description": "the most pixels wide (images are never scaled up)"}],
            "get": {"operationId": "get_asset_thumbnail", "summary": "A small JPEG: a video's "
                    "first frame, an image scaled down",
                    "responses": {"200": {"description": "JPEG",
                                          "content": {"image/jpeg": {}}},
                                  "404": error_response("No such asset, or sound or a font "
                                                        "(no picture)"),
                                  "422": error_response("Bad width")}}},
    }
