"""``compositor serve``: the wiring of the whole service.

This is the one module that imports both the control plane and the pipeline. ``serve`` runs, in
one process: the store (Redis or embedded), the control app under uvicorn on the event loop, and
— unless ``--no-render`` — the pipeline's render and encode threads, fed by
:class:`SceneFeeder`, which follows the store's change feed, loads the assets each scene names
into the render thread's :class:`~control.service.asset_cache.AssetCache`, prepares the clips it
plays in the pipeline's :class:`~compositor.media.MediaLibrary`
(:class:`~control.service.clips.ClipPreparer`) and only then publishes the scene. A restarted
service reads the scene back from the store, so the program comes back as it was (frame numbers
are absolute, so animations and clips resume in phase).

SIGINT/SIGTERM stop uvicorn, then the pipeline (outputs are finished: files finalised, RTMP
closed), then the store. Exit codes: 0 after a clean stop, 1 when something failed to start,
2 for a refused configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import replace

import uvicorn
from prometheus_client import CollectorRegistry

from compositor.errors import CompositorError
from compositor.media import MediaLibrary, MediaMetrics
from compositor.metrics import PipelineMetrics
from compositor.pipeline import AppliedFrame, Pipeline
from compositor.pipeline.clock import frame_at
from compositor.scene import Scene
from control.app import create_app
from control.errors import ControlError
from control.landing import OnAirOrder, landing_of
from control.metrics import ControlMetrics
from control.program import NullProgram, ProgramControl
from control.service.asset_cache import AssetCache
from control.service.clips import ClipPreparer
from control.service.demo import install_demo, run_clock
from control.service.inputs import ServiceInputs
from control.service.logs import configure_logging
from control.service.obsws import obs_config, obs_refusal, serve_together
from control.service.program import AirReceipts, CommitToAir, PipelineProgram
from control.service.settings import Settings
from control.service.stores import open_store
from control.store.base import Change, Store
from control.store.feed import follow

__all__ = ["SceneFeeder", "media_library", "serve_main"]

log = logging.getLogger(__name__)


def _refusal(settings: Settings) -> str | None:
    if not settings.is_loopback and settings.api_token is None and not settings.insecure:
        return (f"refusing to listen on {settings.host} without an API token: set --api-token "
                "(COMPOSITOR_API_TOKEN), bind 127.0.0.1, or pass --insecure")
    return obs_refusal(settings)


def serve_main(settings: Settings, args: argparse.Namespace) -> int:
    """Run the service until SIGINT/SIGTERM; see the module docstring for exit codes."""
    secrets = tuple(s for s in (settings.api_token, settings.obs_websocket_password) if s)
    configure_logging(settings.log_level, settings.log_format, secrets=secrets)
    refusal = _refusal(settings)
    if refusal is not None:
        log.error(refusal)
        return 2
    initial = Scene(width=settings.width, height=settings.height, fps=settings.fps)
    return asyncio.run(_serve(settings, initial))


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the service stops the pipeline first."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class SceneFeeder:
    """Follows the store and publishes each new scene to the pipeline, assets loaded first.

    Each scene is published for the frame its commit's landing names (``control.landing``): a
    scheduled commit is held for its frame, and :class:`~control.landing.OnAirOrder` keeps scenes
    on air in version order (a later scene waits behind a scheduled one).
    """

    def __init__(self, store: Store, pipeline: Pipeline, assets: AssetCache,
                 air: CommitToAir | None = None, receipts: AirReceipts | None = None,
                 time_source: Callable[[], float] = time.time,
                 clips: ClipPreparer | None = None) -> None:
        self.store = store
        self.pipeline = pipeline
        self.assets = assets
        self.clips = clips
        self.air = air
        self.receipts = receipts
        self.time_source = time_source
        self._on_air_order = OnAirOrder()

    def publish(self, change: Change) -> None:
        landing = landing_of(change.commit)
        now = frame_at(self.time_source(), change.scene.fps)
        at_frame = self._on_air_order.publish_frame(landing, now)
        if self.receipts is not None:
            self.receipts.committed(change.version, landing.requested_frame)
        self.pipeline.publish(change.scene, at_frame)

    async def run(self, retry_s: float = 0.5) -> None:
        """Until cancelled; a broken feed (Redis restart...) resumes after the last version."""
        version: int | None = None

        async def feed(change: Change) -> None:
            nonlocal version
            await self.assets.ensure(self.store, change.scene)
            if self.clips is not None:
                await self.clips.ensure(change.scene)
            if self.air is not None and change.commit is not None:
                self.air.committed(change.version, change.commit.at_unix)
            self.publish(change)
            version = change.version

        await follow(lambda: self.store.subscribe(version), feed, retry_s=retry_s, log=log,
                     feed="scene feed")


def media_library(settings: Settings, registry: CollectorRegistry) -> MediaLibrary:
    """The channel's clip library; its PCM cache under ``<data dir>/media-cache/<channel>``."""
    return MediaLibrary(settings.data_dir / "media-cache" / settings.channel,
                        metrics=MediaMetrics(registry))


async def _start_pipeline(settings: Settings, scene: Scene, store: Store,
                          registry: CollectorRegistry, metrics: ControlMetrics,
                          inputs: ServiceInputs,
                          ) -> tuple[PipelineProgram, Pipeline, list[asyncio.Task[None]]]:
    """Start rendering; the program, the pipeline and the feeder task."""
    assets = AssetCache()
    air = CommitToAir(metrics)
    receipts = AirReceipts(store)
    clips = ClipPreparer(store, media_library(settings, registry), idle_s=settings.clip_release_s)

    def on_applied(applied: AppliedFrame) -> None:
        air.on_applied(applied)
        receipts.on_applied(applied)

    # Paced on the house clock, with PipelineConfig's default evaluation: the same as
    # ``compositor render`` uses offline, so both give identical frames.
    config = replace(settings.pipeline_config(scene), on_applied=on_applied)
    pipeline = Pipeline(config, assets.get, PipelineMetrics(registry),
                        media=inputs.media(clips.media))  # clips and live inputs
    clips.held = pipeline.held_scenes
    await assets.ensure(store, scene)
    await clips.ensure(scene)
    pipeline.publish(scene)
    await asyncio.to_thread(pipeline.start)
    feeder = SceneFeeder(store, pipeline, assets, air, receipts, clips=clips)
    tasks = [asyncio.create_task(feeder.run(), name="scene-feeder"),
             asyncio.create_task(receipts.run(), name="air-receipts"),
             asyncio.create_task(clips.run(), name="clip-sweeper")]
    program = PipelineProgram(pipeline, settings.outputs, air, clips,
                              prepare=lambda preview: assets.add(store, preview))
    return program, pipeline, tasks


async def _serve(settings: Settings, initial: Scene) -> int:
    registry = CollectorRegistry()
    metrics = ControlMetrics(registry)
    store = open_store(settings, initial=initial)
    pipeline: Pipeline | None = None
    running: PipelineProgram | None = None
    tasks: list[asyncio.Task[None]] = []
    inputs = ServiceInputs(store, registry, live=settings.render)  # live inputs: inputs.py
    try:
        scene = await store.initialize(initial)
        if settings.demo and await install_demo(store):
            scene = await store.read()
        program: ProgramControl = NullProgram()
        if settings.render:
            running, pipeline, tasks = await _start_pipeline(settings, scene, store, registry,
                                                             metrics, inputs)
            program = running
            if settings.demo:
                tasks.append(asyncio.create_task(run_clock(store), name="demo-clock"))
        app = create_app(settings.control_config(), store, inputs.program(program),
                         registry=registry, metrics=metrics)
        inputs.install(app)
        tasks.append(asyncio.create_task(inputs.run(), name="inputs"))
        server = _Server(uvicorn.Config(
            app, host=settings.host, port=settings.port, log_config=None, access_log=False,
            ws_per_message_deflate=False, lifespan="on", timeout_graceful_shutdown=3,
            limit_concurrency=settings.max_connections))
        obs_cfg = obs_config(settings, app)
        obs = _Server(obs_cfg) if obs_cfg is not None else None
        _install_signals(obs or server, server)
        log.info("serving channel %r on http://%s:%d (%dx%d @ %s fps, rendering %s)",
                 settings.channel, settings.host, settings.port, scene.width, scene.height,
                 scene.fps, "on" if settings.render else "off")
        if obs_cfg is not None:
            log.info("obs-websocket on ws://%s:%d (%s)", settings.host, obs_cfg.port,
                     "password" if settings.obs_websocket_password else "no authentication")
        await serve_together(server, obs)
        return 0 if server.started else 1
    except (CompositorError, ControlError, OSError) as exc:
        log.error("cannot serve: %s", exc)
        return 1
    finally:
        await _shutdown(store, pipeline, tasks)
        await asyncio.to_thread(inputs.close)
        if running is not None and running.clips is not None:
            running.clips.media.close()  # the pipeline has stopped: no decoder is needed


def _install_signals(first: uvicorn.Server, main: uvicorn.Server) -> None:
    """SIGINT/SIGTERM stop ``first`` (``serve_together`` then stops ``main``); a second signal
    forces both out."""
    loop = asyncio.get_running_loop()

    def stop(sig: signal.Signals) -> None:
        log.info("%s: stopping", sig.name)
        if first.should_exit:
            first.force_exit = main.force_exit = True
        first.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)


# Each shutdown step's deadline, in seconds; together well inside systemd's TimeoutStopSec (30).
_PIPELINE_STOP_S = 10.0
_STEP_S = 3.0


async def _shutdown(store: Store, pipeline: Pipeline | None,
                    tasks: list[asyncio.Task[None]]) -> None:
    """Stop everything, each step within a deadline, the pipeline first: its outputs close
    (RTMP) and recordings are finalised whatever the store or a task is doing."""
    if pipeline is not None:
        try:
            await asyncio.wait_for(asyncio.to_thread(pipeline.stop, _PIPELINE_STOP_S),
                                   _PIPELINE_STOP_S + _STEP_S)
            log.info("pipeline stopped")
        except TimeoutError:
            log.error("the pipeline did not stop within %.0f s", _PIPELINE_STOP_S + _STEP_S)
    for task in tasks:
        task.cancel()
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=_STEP_S)
        for task in pending:
            log.error("task %s did not stop within %.0f s", task.get_name(), _STEP_S)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(store.close(), _STEP_S)


if __name__ == "__main__":  # pragma: no cover
    from control.service.cli import main

    sys.exit(main(["serve", *sys.argv[1:]]))
