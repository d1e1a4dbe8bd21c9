"""``compositor render SCENE.json --seconds S -o OUT``: render offline, as fast as possible.

The scene file gives the canvas size and frame rate (its ``version`` may be omitted). Assets the
scene references (image assets, font asset ids, clips) are read from the same store as ``serve``
(the ``--data-dir`` or ``--redis-url`` settings); clips are fetched to a local file
(``Store.asset_file``) and prepared in a :class:`~compositor.media.MediaLibrary` before the first
frame, as the live service does, and a clip whose ``start_frame`` is null starts on the render's
first frame (``land_clips``). Frames ``start_frame .. start_frame + S * fps - 1`` are rendered
unpaced and nothing is dropped (clip pictures are waited for); OUT is a file (.mp4 with
faststart, .mkv, .ts, .flv, .mov) or an rtmp(s):// URL. A progress bar (tqdm) goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from prometheus_client import CollectorRegistry
from tqdm import tqdm

from compositor.errors import CompositorError
from compositor.media import MediaLibrary
from compositor.metrics import PipelineMetrics
from compositor.output import redact_url
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.pipeline.media import MediaSource
from compositor.scene import Scene, scene_assets
from compositor.scene.codec import decode_scene
from compositor.scene.ops import land_clips
from control.errors import ControlError
from control.service.clips import ClipPreparer, scene_clips
from control.service.inputs import offline_media
from control.service.settings import Settings

__all__ = ["media_cache", "render_main", "run_offline", "store_name"]


async def _load_assets(settings: Settings, scene: Scene, media: MediaLibrary
                       ) -> dict[str, bytes]:
    """The bytes of the images and fonts ``scene`` names; its clips prepared in ``media``
    (``StoreError``/``MediaError`` when one cannot be)."""
    from control.service.stores import open_store

    store = open_store(settings)
    clips = scene_clips(scene)
    try:
        preparer = ClipPreparer(store, media)
        await preparer.ensure(scene)
        for key, reason in preparer.problems().items():
            raise ControlError(f"{key}: {reason}")
        return {asset_id: await store.get_asset(asset_id)
                for asset_id in sorted(scene_assets(scene) - clips)}
    finally:
        await store.close()


def store_name(settings: Settings) -> str:
    """Which store a command reads, for its messages (a Redis password redacted)."""
    from control.store.redis.link import redact_url

    if settings.redis_url:
        return f"Redis {redact_url(settings.redis_url)} (channel {settings.channel})"
    return f"the embedded store in {settings.data_dir} (channel {settings.channel})"


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
    start_frame = int(getattr(args, "start_frame", 0) or 0)
    scene = land_clips(scene, start_frame)  # unstarted clips start on the first frame
    with tempfile.TemporaryDirectory(prefix="render-", dir=media_cache(settings)) as cache:
        media = MediaLibrary(Path(cache))
        try:
            try:
                assets = asyncio.run(_load_assets(settings, scene, media))
            except Exception as exc:  # any store or clip failure: report it in one line
                print(f"compositor render: cannot read assets from {store_name(settings)}: "
                      f"{exc} (point it at the store that holds them with --data-dir or "
                      "--redis-url, and --channel)", file=sys.stderr)
                return 1
            config = replace(
                settings.pipeline_config(scene), outputs=(args.out,),
                x264_preset=getattr(args, "preset", None) or "veryfast",
                audio=not getattr(args, "no_audio", False),
            ).offline(start_frame, frames)  # evaluated exactly as the live service evaluates
            from control.service.stores import open_store

            source = offline_media(lambda: open_store(settings), scene, media,  # inputs
                                   lambda note: print(f"compositor render: {note}",
                                                      file=sys.stderr))
            return run_offline(config, scene, assets, source, args, frames)
        finally:
            media.close()


def media_cache(settings: Settings) -> Path:
    """Where offline renders keep clips' PCM (one temporary folder per run)."""
    folder = settings.data_dir / "media-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_offline(config: PipelineConfig, scene: Scene, assets: dict[str, bytes],
                media: MediaSource, args: argparse.Namespace, frames: int,
                later: Sequence[tuple[Scene, int]] = ()) -> int:
    """Render ``config``'s frames of ``scene`` (and of each ``later`` scene from its frame on)
    to ``args.out``; 0 when every frame was encoded and no output failed."""
    def source(asset_id: str) -> bytes | None:
        return assets.get(asset_id)

    pipeline = Pipeline(config, source, PipelineMetrics(CollectorRegistry()), media=media)
    pipeline.publish(scene)
    for later_scene, frame in later:
        pipeline.publish(later_scene, frame)
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
