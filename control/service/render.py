"""``compositor render SCENE.json --seconds S -o OUT``: render offline, as fast as possible.

The scene file gives the canvas size and frame rate (its ``version`` may be omitted). Assets the
scene references (image assets, font asset ids) are read from the same store as ``serve`` (the
``--data-dir`` or ``--redis-url`` settings). Frames ``start_frame .. start_frame + S * fps - 1``
are rendered unpaced and nothing is dropped; OUT is a file (.mp4 with faststart, .mkv, .ts,
.flv, .mov) or an rtmp(s):// URL. A progress bar (tqdm) goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path

from prometheus_client import CollectorRegistry
from tqdm import tqdm

from compositor.errors import CompositorError
from compositor.metrics import PipelineMetrics
from compositor.output import redact_url
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import Scene, scene_assets
from compositor.scene.codec import decode_scene
from control.service.settings import Settings

__all__ = ["render_main", "run_offline"]


async def _load_assets(settings: Settings, ids: set[str]) -> dict[str, bytes]:
    from control.service.stores import open_store

    store = open_store(settings)
    try:
        return {asset_id: await store.get_asset(asset_id) for asset_id in sorted(ids)}
    finally:
        await store.close()


def _progress_bar(frames: int) -> tqdm:
    """``100%|#####| 300/600 frames  85.10 frames/s`` on stderr (redrawn in place on a tty)."""
    return tqdm(total=frames, file=sys.stderr, unit=" frames", ascii=True, dynamic_ncols=True,
                bar_format="{percentage:3.0f}%|{bar}| {n}/{total} frames  {rate_fmt}")


def render_main(settings: Settings, args: argparse.Namespace) -> int:
    """Render ``args.scene`` for ``args.seconds`` to ``args.out`` (or, with
    ``--from-journal``, a span of what was on air: ``control.service.replay``); 0 on success,
    1 on failure."""
    if getattr(args, "from_journal", None):
        from control.service.replay import replay_main

        return replay_main(settings, args)
    try:
        scene = decode_scene(json.loads(Path(args.scene).read_text()))
    except (OSError, ValueError, CompositorError) as exc:
        print(f"compositor render: {args.scene}: {exc}", file=sys.stderr)
        return 1
    frames = max(1, round(float(args.seconds) * scene.fps))
    try:
        assets = asyncio.run(_load_assets(settings, set(scene_assets(scene))))
    except Exception as exc:  # any store failure: report it in one line
        print(f"compositor render: cannot read assets: {exc}", file=sys.stderr)
        return 1
    start_frame = int(getattr(args, "start_frame", 0) or 0)
    config = replace(
        settings.pipeline_config(scene), outputs=(args.out,),
        x264_preset=getattr(args, "preset", None) or "veryfast",
        audio=not getattr(args, "no_audio", False),
    ).offline(start_frame, frames)  # evaluated exactly as the live service evaluates
    return run_offline(config, scene, assets, args, frames)


def run_offline(config: PipelineConfig, scene: Scene, assets: dict[str, bytes],
                args: argparse.Namespace, frames: int) -> int:
    def source(asset_id: str) -> bytes | None:
        return assets.get(asset_id)

    pipeline = Pipeline(config, source, PipelineMetrics(CollectorRegistry()))
    pipeline.publish(scene)
    progress = None if args.no_progress else _progress_bar(frames)
    try:
        pipeline.start()
        while not pipeline.wait(0.2):
            if progress is not None:
                progress.update(pipeline.frames_encoded - progress.n)
    except CompositorError as exc:
        print(f"compositor render: {exc}", file=sys.stderr)
        return 1
    finally:
        pipeline.stop(timeout=30.0)
        if progress is not None:
            progress.update(pipeline.frames_encoded - progress.n)
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
