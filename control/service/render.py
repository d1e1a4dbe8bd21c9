"""``compositor render SCENE.json --seconds S -o OUT``: render offline, as fast as possible.

The scene file gives the canvas size and frame rate (its ``version`` may be omitted). Assets the
scene references (image assets, font asset ids) are read from the same store as ``serve`` (the
``--data-dir`` or ``--redis-url`` settings). Frames ``start_frame .. start_frame + S * fps - 1``
are rendered unpaced and nothing is dropped; OUT is a file (.mp4 with faststart, .mkv, .ts,
.flv, .mov) or an rtmp(s):// URL. A plain-text progress bar goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from prometheus_client import CollectorRegistry

from compositor.errors import CompositorError
from compositor.gl.text import BUILTIN_FONTS
from compositor.gl.textures import AssetSource
from compositor.metrics import PipelineMetrics
from compositor.output import redact_url
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import ImageContent, Scene, TextContent, animation
from compositor.scene.codec import decode_scene
from control.service.settings import Settings

__all__ = ["ProgressBar", "offline_pipeline", "referenced_assets", "render_main"]


def referenced_assets(scene: Scene) -> set[str]:
    """Asset ids the scene needs: images and non-builtin fonts."""
    ids: set[str] = set()
    for layer in scene.layers:
        if isinstance(layer.content, ImageContent):
            ids.add(layer.content.asset)
        elif isinstance(layer.content, TextContent) and layer.content.font not in BUILTIN_FONTS:
            ids.add(layer.content.font)
    return ids


async def _load_assets(settings: Settings, ids: set[str]) -> dict[str, bytes]:
    from control.service.stores import open_store

    store = open_store(settings)
    try:
        return {asset_id: await store.get_asset(asset_id) for asset_id in sorted(ids)}
    finally:
        await store.close()




class ProgressBar:
    """``[#####.....]  50%  300/600 frames  85.1 fps`` on one line (a tty) or every 10 %."""

    def __init__(self, total: int, stream: TextIO, *, width: int = 30) -> None:
        self.total = max(1, total)
        self._stream = stream
        self._width = width
        self._tty = stream.isatty()
        self._started = time.monotonic()
        self._last_decile = -1

    def update(self, done: int) -> None:
        fraction = min(1.0, done / self.total)
        if not self._tty:
            decile = int(fraction * 10)
            if decile == self._last_decile:
                return
            self._last_decile = decile
        elapsed = max(1e-9, time.monotonic() - self._started)
        filled = int(fraction * self._width)
        bar = "#" * filled + "." * (self._width - filled)
        line = f"[{bar}] {fraction:4.0%}  {done}/{self.total} frames  {done / elapsed:.1f} fps"
        self._stream.write(("\r" + line) if self._tty else line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()


def offline_pipeline(config: PipelineConfig, assets: AssetSource, start_frame: int, frames: int,
                     **options: Any) -> Pipeline:
    """An unpaced pipeline rendering absolute frames ``start_frame .. start_frame + frames - 1``
    with nothing dropped, evaluated exactly as the live service evaluates
    (``control.service.serve.live_pipeline``). ``options`` go to :class:`Pipeline` (hooks)."""
    return Pipeline(config, assets, PipelineMetrics(CollectorRegistry()), paced=False,
                    start_frame=start_frame, max_frames=frames,
                    evaluate_sized=animation.evaluate_with_sizes,
                    is_animating=animation.is_animating, **options)


def render_main(settings: Settings, args: argparse.Namespace) -> int:
    """Render ``args.scene`` for ``args.seconds`` to ``args.out``; 0 on success, 1 on failure."""
    try:
        scene = decode_scene(json.loads(Path(args.scene).read_text()))
    except (OSError, ValueError, CompositorError) as exc:
        print(f"compositor render: {args.scene}: {exc}", file=sys.stderr)
        return 1
    frames = max(1, round(float(args.seconds) * scene.fps))
    try:
        assets = asyncio.run(_load_assets(settings, referenced_assets(scene)))
    except Exception as exc:  # any store failure: report it in one line
        print(f"compositor render: cannot read assets: {exc}", file=sys.stderr)
        return 1
    config = PipelineConfig(
        width=scene.width, height=scene.height, fps=scene.fps, encoder=settings.encoder,
        bitrate_bps=settings.bitrate_bps(), outputs=(args.out,),
        x264_preset=getattr(args, "preset", None) or "veryfast",
        audio=not getattr(args, "no_audio", False),
    )
    return _run(config, scene, assets, args, frames)


def _run(config: PipelineConfig, scene: Scene, assets: dict[str, bytes],
         args: argparse.Namespace, frames: int) -> int:
    start_frame = int(getattr(args, "start_frame", 0) or 0)

    def source(asset_id: str) -> bytes | None:
        return assets.get(asset_id)

    pipeline = offline_pipeline(config, source, start_frame, frames)
    pipeline.publish(scene)
    progress = None if args.no_progress else ProgressBar(frames, sys.stderr)
    try:
        pipeline.start()
        while not pipeline.wait(0.2):
            if progress is not None:
                progress.update(pipeline.frames_encoded)
    except CompositorError as exc:
        print(f"compositor render: {exc}", file=sys.stderr)
        return 1
    finally:
        pipeline.stop(timeout=30.0)
    if progress is not None:
        progress.update(pipeline.frames_encoded)
        progress.close()
    status = pipeline.status()
    failed = [o for o in status["outputs"] if o["state"] == "error"] or (
        [{"url": redact_url(args.out), "last_error": status["error"]}] if status["error"] else [])
    if failed or pipeline.frames_encoded < frames:
        reason = failed[0]["last_error"] if failed else "not every frame was encoded"
        print(f"compositor render: {failed[0]['url'] if failed else args.out}: {reason}",
              file=sys.stderr)
        return 1
    return 0
