"""``compositor asset add FILE...``: import images, fonts and clips into the store.

Each file is validated exactly as an upload is (images and fonts decoded, clips probed and
test-decoded, the same size and duration limits from the settings) and kept under its content
address; one JSON line per file goes to stdout: ``{"file", "id", "kind", ...}`` (clips add
``duration_s``, ``fps``, ``has_audio``, ``video_codec``, ``audio_codec``) or
``{"file", "error"}``. Clips are copied into the store's upload folder while hashed, then moved
in (never read whole into memory). Exit status 1 if any file failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

from control.assets import AssetPolicy, asset_kind_for, validate_asset
from control.clips import clip_info
from control.errors import AssetRejectedError, AssetTooLargeError, ControlError
from control.service.logs import configure_logging
from control.service.settings import Settings
from control.service.stores import open_store
from control.store.base import AssetInfo, Store

__all__ = ["asset_main"]

_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
          ".webp": "image/webp", ".gif": "image/gif", ".ttf": "font/ttf", ".otf": "font/otf",
          ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
          ".mkv": "video/x-matroska", ".webm": "video/webm", ".ts": "video/mp2t",
          ".mp3": "audio/mpeg", ".wav": "audio/wav", ".aac": "audio/aac", ".m4a": "audio/mp4",
          ".ogg": "audio/ogg", ".oga": "audio/ogg", ".flac": "audio/flac"}


def asset_main(settings: Settings, args: argparse.Namespace) -> int:
    """Validate and import each file; one JSON line per file on stdout; 1 if any failed."""
    configure_logging(settings.log_level, settings.log_format)
    return asyncio.run(_add_assets(settings, [Path(f) for f in args.files]))


def _copy_hashing(source: Path, target: Path, limit: int) -> tuple[str, int, bytes]:
    """Copy ``source`` to ``target``; its sha256, size and first 64 bytes (413 past limit)."""
    size = source.stat().st_size
    if size > limit:
        raise AssetTooLargeError(f"the file is {size} bytes, more than the limit of {limit}")
    hasher = hashlib.sha256()
    with open(source, "rb") as src, open(target, "xb") as dst:
        head = src.read(64)
        src.seek(0)
        while chunk := src.read(1024 * 1024):
            hasher.update(chunk)
            dst.write(chunk)
    return hasher.hexdigest(), size, head


async def _add_clip(store: Store, path: Path, declared: str, policy: AssetPolicy) -> AssetInfo:
    staged = store.upload_dir() / f"add-{secrets.token_hex(8)}"
    try:
        digest, size, head = await asyncio.to_thread(_copy_hashing, path, staged,
                                                     policy.max_clip_bytes)
        info = await asyncio.to_thread(clip_info, staged, sha256=digest, size=size, head=head,
                                       declared=declared, name=path.name,
                                       max_seconds=policy.max_clip_seconds)
        return await store.put_asset_file(staged, info)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


async def _add(store: Store, path: Path, policy: AssetPolicy) -> AssetInfo:
    declared = _TYPES.get(path.suffix.lower(), "application/octet-stream")
    with open(path, "rb") as handle:
        head = handle.read(64)
    if asset_kind_for(declared, head) == "clip":
        return await _add_clip(store, path, declared, policy)
    data = path.read_bytes()
    return await store.put_asset(data, validate_asset(data, declared, path.name, policy=policy))


def _line(path: Path, stored: AssetInfo) -> dict[str, Any]:
    line: dict[str, Any] = {"file": str(path), "id": stored.id, "kind": stored.kind,
                            "width": stored.width, "height": stored.height,
                            "bytes": stored.bytes, "sha256": stored.sha256}
    if stored.is_clip:
        line.update(duration_s=stored.duration_s, fps=stored.fps, has_audio=stored.has_audio,
                    video_codec=stored.video_codec, audio_codec=stored.audio_codec)
    return line


async def _add_assets(settings: Settings, files: list[Path]) -> int:
    store = open_store(settings)
    policy = settings.control_config().assets
    failed = 0
    try:
        for path in files:
            try:
                line = _line(path, await _add(store, path, policy))
            except (OSError, AssetRejectedError, ControlError) as exc:
                failed += 1
                line = {"file": str(path), "error": str(exc)}
            print(json.dumps(line), flush=True)
    finally:
        await store.close()
    return 1 if failed else 0

