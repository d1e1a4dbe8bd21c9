"""The render side of the pipeline: the render thread, its warm-up and its frame reuse.

:class:`RenderStage` is owned and driven by :class:`compositor.pipeline.Pipeline`. Its thread
makes the GL context, warms the renderer up on the first scene, then at each frame boundary takes
the newest published scene that is due (:class:`SceneHolder`, so a commit shows on exactly one
frame), evaluates it for that absolute frame with the config's one ``evaluate`` hook, renders,
converts to NV12 on the GPU and reads back asynchronously, handing each frame to the
:class:`EncodeStage`. When the scene object is unchanged, nothing animates at this frame, no
visible clip plays and the previous frame was produced right before, it reuses the last NV12
frame instead.

Clips (with a :class:`~compositor.pipeline.media.MediaSource`): the renderer asks for each clip
layer's picture of the absolute frame (live: never waiting; offline: up to
:data:`~compositor.pipeline.media.OFFLINE_WAIT_S`), every tick tells the library which clip
layers still play, and mixes the program audio of the tick's evaluated scene (reused frames
too), which travels with the frame (``EncodeJob.audio``). Clip failures join :attr:`problems`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from compositor.errors import CompositorError
from compositor.gl.textures import AssetSource
from compositor.metrics import PipelineMetrics
from compositor.pipeline.clock import FrameClock, Tick, frame_at
from compositor.pipeline.config import NV12, PipelineConfig
from compositor.pipeline.encode_stage import EncodeJob, EncodeStage
from compositor.pipeline.holder import SceneHolder
from compositor.pipeline.media import (
    OFFLINE_WAIT_S,
    MediaSource,
    PipelineClips,
    clip_layers,
    shows_clip,
    video_clips,
)
from compositor.pipeline.preview_requests import RGBA, PreviewRequests
from compositor.scene import Scene, VideoContent

__all__ = ["PRE_ROLL_FRAMES", "RenderStage"]

PRE_ROLL_FRAMES = 8
"""How many frames before a scheduled clip's start its decoder starts (the media library's
read-ahead: it pre-rolls within that many frames)."""

log = logging.getLogger(__name__)


class RenderStage:
    """The render thread and what it counts; see the module docstring.

    ``fail(message)`` is called on the render thread when rendering cannot start or dies; the
    stage then ends the encode stream. ``ready`` is set once the thread is up (or has failed).
    """

    def __init__(self, config: PipelineConfig, assets: AssetSource, metrics: PipelineMetrics,
                 holder: SceneHolder, encode: EncodeStage, stopping: threading.Event,
                 fail: Callable[[str], None], media: MediaSource | None = None) -> None:
        self.config = config
        self._assets = assets
        self._media = media
        self._metrics = metrics
        self._holder = holder
        self._encode = encode
        self._stopping = stopping
        self._fail = fail
        self.ready = threading.Event()
        self.clock: FrameClock | None = None
        self.problems: dict[str, str] = {}
        self.renderer_name = ""
        self.frames_rendered = 0
        self.frames_reused = 0
        self.frames_dropped = 0  # queue-full drops; the clock counts its skips
        self._last = _LastFrame()
        self.previews = PreviewRequests(metrics=metrics)  # preview before air, between frames
        self._mix_error: str | None = None

    @property
    def on_air(self) -> Scene | None:
        """The scene of the last frame rendered (None before the first); any thread."""
        return self._last.scene

    def run(self) -> None:
        """The render thread's body: until stopped, ``max_frames`` are done, or it fails."""
        from compositor.gl.context import create_context
        from compositor.gl.frame_renderer import FrameRenderer

        config = self.config
        try:
            gl = create_context(config.gpu_device)
            clips = None
            if self._media is not None:
                wait_s = 0.0 if config.paced else OFFLINE_WAIT_S
                clips = PipelineClips(self._media, Fraction(config.fps), wait_s)
            renderer = FrameRenderer(gl, config.width, config.height, self._assets,
                                     clips=clips, damage=config.damage,
                                     frame_format=config.frame_format)
        except (CompositorError, ValueError) as exc:
            self._fail(f"renderer could not start: {exc}")
            self.ready.set()
            return
        self.renderer_name = gl.renderer
        self._warm_up(renderer)
        self._prime_clips()
        self.clock = FrameClock(
            Fraction(config.fps), start_frame=config.start_frame, paced=config.paced,
            time_source=config.time_source, sleep=config.sleep,
        )
        self.ready.set()
        try:
            self._loop(renderer, self.clock)
        except Exception as exc:  # a bug or a lost GPU: say so instead of dying silently
            log.exception("render thread failed")
            self._fail(f"render thread failed: {exc}")
        finally:
            self.previews.close()
            renderer.release()
            gl.release()
            self._encode.finish()

    def _evaluate(self, renderer: Any, scene: Scene, frame: int) -> Scene:
        """The static scene of ``frame``: the one evaluation the warm-up and every frame use."""
        return self.config.evaluate(
            scene, frame, lambda layer: renderer.natural_size(layer, scene))

    def _warm_up(self, renderer: Any) -> None:
        """Draw the first scene once, unpaced and unseen, before the clock starts.

        It is evaluated for the first frame exactly as the live loop will, so decoding its
        images, rasterising its text and the first use of each shader happen here instead of on
        the first live frames, which would otherwise be dropped as late.
        """
        scene = self._holder.peek()
        if scene is None:
            return
        started = time.perf_counter()
        config = self.config
        frame = (config.start_frame if config.start_frame is not None
                 else frame_at(config.time_source(), Fraction(config.fps)))
        try:
            renderer.render(self._evaluate(renderer, scene, frame), None, frame=frame)
            renderer.flush()
        except CompositorError as exc:
            log.warning("warm-up render failed (the live loop will report it): %s", exc)
        log.info("renderer warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    def _prime_clips(self) -> None:
        """Live only: let each playing clip's decoder reach the frame the clock is about to
        start on (waiting up to a second per clip), so that a restart mid-clip is in picture
        from its first live frame instead of showing nothing while decoders seek."""
        scene = self._holder.peek()
        config = self.config
        if scene is None or self._media is None or not config.paced:
            return
        fps = Fraction(config.fps)
        for _ in range(3):  # until the clock has not run past what was primed
            frame = frame_at(config.time_source(), fps)
            for layer_id, content in video_clips(scene):
                self._touch_clip(layer_id, content, frame, wait_s=1.0)
            if frame_at(config.time_source(), fps) - frame < 3:
                return

    def _loop(self, renderer: Any, clock: FrameClock) -> None:
        config = self.config
        blank = Scene(width=config.width, height=config.height, fps=config.fps)
        current = _Current(blank, None)
        last = self._last
        while not self._stopping.is_set():
            if config.max_frames is not None and clock.frames >= config.max_frames:
                break
            tick = clock.tick()
            if tick.skipped:
                self._metrics.frames_dropped.inc(tick.skipped)
            if tick.late:
                self._metrics.frames_late.inc()
            due = self._holder.take(tick.frame)
            if due is not None:
                current = _Current(due[0], due[1])
            if self._can_reuse(current.scene, tick.frame):
                self._finish(renderer.flush())
                assert last.nv12 is not None
                # Nothing moves, so evaluating is cheap; the mix still needs this frame's scene.
                static = self._evaluate(renderer, current.scene, tick.frame)
                self._submit(tick, current, last.nv12, self._mix(static, tick.frame))
                self.frames_reused += 1
                self._metrics.frames_reused.inc()
            else:
                self._draw(renderer, tick, current)
            if self._media is not None:
                playing = clip_layers(current.scene)
                self._media.end_frame(playing | self._pre_roll(playing, tick.frame))
            last.scene = current.scene
            last.frame = tick.frame
            if config.paced and self.previews.waiting:
                self.previews.serve(lambda s, f: self._preview(renderer, s, f), lambda: (
                    clock.deadline(clock.next_frame) - config.time_source()))
        self._finish(renderer.flush() if not config.paced else renderer.completed())

    def _pre_roll(self, playing: set[str], frame: int) -> set[str]:
        """Start the decoders of clips that a scheduled scene starts within the next few frames
        (their pictures are then ready on exactly their ``start_frame``); their layer ids.
        Layers already ``playing`` (the current scene's) are left to it."""
        started: set[str] = set()
        for _, scene in self._holder.upcoming(frame, PRE_ROLL_FRAMES):
            for layer_id, content in video_clips(scene):
                if (layer_id not in playing and content.start_frame is not None
                        and content.start_frame > frame
                        and self._touch_clip(layer_id, content, frame, wait_s=0.0)):
                    started.add(layer_id)
        return started

    def _touch_clip(self, layer_id: str, content: VideoContent, frame: int,
                    wait_s: float) -> bool:
        """Ask the media source for a clip's picture at ``frame`` so its decoder starts and
        reaches it (waiting up to ``wait_s``); False when the source failed (the live loop
        reports that, as any clip failure)."""
        assert self._media is not None
        try:
            self._media.video_frame(layer_id, content, Fraction(self.config.fps), frame,
                                    wait_s=wait_s)
        except Exception:
            log.debug("starting the decoder of clip layer %s failed", layer_id, exc_info=True)
            return False
        return True

    def _preview(self, renderer: Any, scene: Scene, frame: int) -> RGBA:
        """A preview: ``scene`` at ``frame``, evaluated as program frames are (no NV12)."""
        rgba: RGBA = renderer.draw_rgba(self._evaluate(renderer, scene, frame))
        return rgba

    def _can_reuse(self, scene: Scene, frame: int) -> bool:
        """The previous frame, drawn right before from this very scene, still shows it."""
        last = self._last
        return (last.nv12 is not None and last.scene is scene and last.frame == frame - 1
                and not self.config.is_animating(scene, frame) and not self.problems
                and (self._media is None or not shows_clip(scene)))

    def _draw(self, renderer: Any, tick: Tick, current: _Current) -> None:
        """Evaluate, mix and render ``tick``'s frame (its readback finishes later)."""
        started = time.perf_counter()
        static = self._evaluate(renderer, current.scene, tick.frame)
        audio = self._mix(static, tick.frame)
        drawn = renderer.pixels_drawn
        try:
            renderer.render(static, _Meta(tick, current, audio), frame=tick.frame)
        except CompositorError as exc:
            self.problems = {"render": str(exc)}
            log.error("frame %d: %s", tick.frame, exc)
            return
        self.problems = renderer.problems()
        if self._media is not None:
            self.problems.update(self._media.problems())
        self._metrics.layers_skipped.set(len(self.problems))
        self._metrics.render_seconds.observe(time.perf_counter() - started)
        self._metrics.damage_ratio.observe(
            (renderer.pixels_drawn - drawn) / (self.config.width * self.config.height))
        self.frames_rendered += 1
        self._metrics.frames_rendered.inc()
        self._finish(renderer.completed())

    def _mix(self, static: Scene, frame: int) -> npt.NDArray[np.float32] | None:
        """The program audio of ``frame`` (None without media: the encode stage makes silence).
        A failing mix is logged and becomes silence: sound never stops the picture."""
        if self._media is None:
            return None
        try:
            audio = self._media.mix(static, Fraction(self.config.fps), frame)
        except Exception as exc:  # the library's errors and bugs alike: silence, not off air
            if self._mix_error != str(exc):  # once per distinct failure, not every frame
                log.exception("frame %d: the audio mix failed (silence until it works)", frame)
            self._mix_error = str(exc)
            return None
        if self._mix_error is not None:
            log.info("frame %d: the audio mix works again", frame)
            self._mix_error = None
        return audio

    def _finish(self, frames: list[tuple[object, NV12]]) -> None:
        for meta, nv12 in frames:
            assert isinstance(meta, _Meta)
            self._last.nv12 = nv12
            self._submit(meta.tick, meta.current, nv12, meta.audio)

    def _submit(self, tick: Tick, current: _Current, nv12: NV12,
                audio: npt.NDArray[np.float32] | None) -> None:
        job = EncodeJob(frame=tick.frame, pts=tick.pts, version=current.scene.version,
                        at_frame=current.at_frame, layers=len(current.scene.layers), nv12=nv12,
                        audio=audio)
        if not self._encode.put(job, force=not self.config.paced):
            self.frames_dropped += 1
            self._metrics.frames_dropped.inc()


@dataclass(slots=True)
class _Current:
    """The scene on air and the frame it was requested for (None: immediate)."""

    scene: Scene
    at_frame: int | None


@dataclass(frozen=True, slots=True)
class _Meta:
    """The tag a frame travels under through the readback ring."""

    tick: Tick
    current: _Current
    audio: npt.NDArray[np.float32] | None


@dataclass(slots=True)
class _LastFrame:
    """What the render thread remembers of the previous frame (for reuse)."""

    scene: Scene | None = None
    frame: int | None = None
    nv12: NV12 | None = None
