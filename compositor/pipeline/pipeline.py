"""The pipeline: render thread -> bounded queue -> encode thread -> outputs and preview.

- The **render thread** owns the GL context (made there). At each frame boundary it takes the
  newest published scene that is due (:class:`SceneHolder`), so a commit shows on exactly one
  frame, evaluates animation for that absolute frame, renders, converts to NV12 on the GPU and
  reads back asynchronously. When the scene object is unchanged, nothing animates at this frame
  and the previous frame was produced right before, it reuses the last NV12 frame instead.
- The **encode thread** (:class:`compositor.pipeline.encode_stage.EncodeStage`, owned and driven by
the
  pipeline) encodes each frame once and hands the packets to every output (each writes on its
  own thread, see :mod:`compositor.output.base`) and the frame to the preview.
- Live (paced) runs keep real time: if rendering falls a frame behind the clock skips frames, and
  if the encode queue is full the frame is dropped; both are counted. :meth:`Pipeline.publish`
  never blocks. Offline (unpaced) runs lose nothing: the queue and outputs wait instead.

Animation is injected: ``evaluate(scene, frame) -> Scene`` (static scene for that absolute
frame) and ``is_animating(scene, frame) -> bool``, which must be True whenever
``evaluate(scene, frame)`` may differ from ``evaluate(scene, frame - 1)``. Or
``evaluate_sized(scene, frame, natural_size)``, which also gets the renderer's natural size of a
layer's content (``animation.evaluate_with_sizes``: slides of images and text then start just off
the canvas rather than a canvas width away).
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

from compositor.encode import EncoderConfig
from compositor.errors import CompositorError, GLContextError
from compositor.gl.textures import AssetSource
from compositor.metrics import PipelineMetrics
from compositor.output import Output, VideoParams
from compositor.pipeline.clock import FrameClock, Tick, frame_at
from compositor.pipeline.encode_stage import AppliedFrame, EncodeJob, EncodeStage
from compositor.pipeline.holder import SceneHolder
from compositor.scene import Layer, Scene

__all__ = ["AppliedFrame", "NaturalSize", "Pipeline", "PipelineConfig", "SceneHolder"]

log = logging.getLogger(__name__)

NV12 = npt.NDArray[np.uint8]
NaturalSize = Callable[[Layer], tuple[float, float] | None]


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """Output format of the program. ``fps`` is exact; ``bitrate_bps`` bits per second."""

    width: int
    height: int
    fps: Fraction
    encoder: str = "auto"  # "auto" | "x264" | "nvenc"
    bitrate_bps: int = 6_000_000
    keyframe_interval_s: float = 2.0
    x264_preset: str = "veryfast"
    audio: bool = True
    outputs: tuple[str, ...] = ()
    preview_max_fps: float = 5.0
    preview_width: int = 640
    gpu_device: int | None = None
    encode_queue_frames: int = 4  # frames between render and encode threads
    encoder_threads: int = 0  # 0: libx264 picks

    def encoder_config(self) -> EncoderConfig:
        return EncoderConfig(
            width=self.width, height=self.height, fps=Fraction(self.fps),
            bitrate_bps=self.bitrate_bps, keyframe_interval_s=self.keyframe_interval_s,
            x264_preset=self.x264_preset, threads=self.encoder_threads,
            gpu_device=self.gpu_device,
        )


def _identity(scene: Scene, frame: int) -> Scene:
    return scene


def _never(scene: Scene, frame: int) -> bool:
    return False


class Pipeline:
    """Renders, encodes and sends the program. See the module docstring for the threads.

    ``paced=False`` renders as fast as possible from ``start_frame`` for ``max_frames`` frames
    without dropping anything (offline); :meth:`wait` returns when that is done.
    ``on_encoded(frame, seconds)`` is called on the encode thread after each frame (benchmarks);
    ``on_frame(frame, nv12)`` on the encode thread with each frame's NV12 pixels before encoding
    (tests compare live and offline output exactly). Do not keep or change the array.
    """

    def __init__(
        self,
        config: PipelineConfig,
        assets: AssetSource,
        metrics: PipelineMetrics,
        *,
        time_source: Callable[[], float] = time.time,
        evaluate: Callable[[Scene, int], Scene] = _identity,
        is_animating: Callable[[Scene, int], bool] = _never,
        on_applied: Callable[[AppliedFrame], None] | None = None,
        paced: bool = True,
        start_frame: int | None = None,
        max_frames: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_encoded: Callable[[int, float], None] | None = None,
        evaluate_sized: Callable[[Scene, int, NaturalSize], Scene] | None = None,
        on_frame: Callable[[int, NV12], None] | None = None,
    ) -> None:
        self.config = config
        self._assets = assets
        self._metrics = metrics
        self._now = time_source
        self._sleep = sleep
        self._evaluate = evaluate
        self._evaluate_sized = evaluate_sized
        self._is_animating = is_animating
        self._paced = paced
        self._start_frame = start_frame
        self._max_frames = max_frames
        self._holder = SceneHolder()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._render_thread: threading.Thread | None = None
        self._clock: FrameClock | None = None
        self._fatal: str | None = None
        self._render_problems: dict[str, str] = {}
        self._renderer_name = ""
        self.frames_rendered = 0
        self.frames_reused = 0
        self.frames_dropped = 0  # queue-full drops; clock skips are added in status()
        self._render = _RenderState()
        self._encode = EncodeStage(
            VideoParams(config.width, config.height, Fraction(config.fps)), metrics,
            encoder=config.encoder, encoder_config=config.encoder_config(),
            queue_frames=config.encode_queue_frames, audio=config.audio, lossless=not paced,
            preview_width=config.preview_width, preview_max_fps=config.preview_max_fps,
            time_source=time_source, on_failed=self._encode_failed, max_frames=max_frames,
            on_applied=on_applied, on_encoded=on_encoded, on_frame=on_frame,
        )

    # --- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        """Open the encoder, start both threads and wait until the GL context is up.

        Raises :class:`EncoderUnavailableError`/:class:`EncoderError` when the encoder cannot
        open and :class:`GLContextError` (or another :class:`CompositorError`) when rendering
        cannot start. Outputs listed in the config start too.
        """
        if self._render_thread is not None:
            return
        self._encode.open()
        self._render_thread = threading.Thread(target=self._render_main, name="render",
                                               daemon=True)
        self._render_thread.start()
        if not self._ready.wait(timeout):
            self._fatal = "renderer did not start in time"
        if self._fatal is not None:
            self.stop()
            raise GLContextError(self._fatal)
        for target in self.config.outputs:
            self.start_output(target)
        self._encode.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop rendering, flush the encoder, finish every output (mp4 faststart, RTMP close)."""
        self._stopping.set()
        thread = self._render_thread
        if thread is not None:
            thread.join(timeout * 2)
            if thread.is_alive():
                log.warning("pipeline: %s thread did not stop in time", thread.name)
        self._encode.join(timeout * 2)
        self._render_thread = None
        self._encode.close(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until an unpaced run has encoded ``max_frames`` (or failed); True when done."""
        return self._encode.wait(timeout)

    # --- control (any thread) -------------------------------------------------------------

    def publish(self, scene: Scene, at_frame: int | None = None) -> None:
        """Put ``scene`` on air from the first frame >= ``at_frame`` (None: the next frame).

        Thread-safe and non-blocking. Of several scenes due at the same frame boundary, the one
        published last wins; a scheduled scene waits for its frame while newer immediate ones
        keep coming.
        """
        self._holder.publish(scene, at_frame)

    def start_output(self, url: str) -> None:
        """Add an output (RTMP(S) URL or file path) to the running encode; idempotent per URL."""
        self._encode.start_output(url)

    def stop_output(self, url: str | None = None, timeout: float = 5.0) -> None:
        """Stop one output (by the URL it was started with) or all (None)."""
        self._encode.stop_output(url, timeout)

    def preview_jpeg(self, width: int | None = None) -> bytes | None:
        """The latest program frame as JPEG (``width`` px wide), or None before the first."""
        return self._encode.preview_jpeg(width)

    def problems(self) -> dict[str, str]:
        """What is wrong now: renderer layer problems, a fatal error, failing outputs."""
        found = dict(self._render_problems)
        if self._fatal is not None:
            found["pipeline"] = self._fatal
        for output in self._encode.outputs:
            if output.state in ("reconnecting", "error"):
                found[f"output {output.name}"] = f"{output.state}: {output.last_error}"
        return found

    def status(self) -> dict[str, Any]:
        """The body of ``GET /api/v1/output`` (see CONTRACT.md); never blocks for long."""
        outputs = [o.status() for o in self._encode.outputs]
        clock = self._clock
        running = self._render_thread is not None and self._fatal is None
        return {
            "state": _aggregate([str(o["state"]) for o in outputs], running, self._fatal),
            "url": outputs[0]["url"] if outputs else None,
            "frames": self.frames_encoded,
            "rendered": self.frames_rendered,
            "reused": self.frames_reused,
            "dropped": self.frames_dropped + (clock.dropped if clock else 0),
            "late": clock.late if clock else 0,
            "fps": self._encode.measured_fps(),
            "target_fps": float(self.config.fps),
            "encoder": self._encode.encoder_name,
            "bitrate": self.config.bitrate_bps,
            "width": self.config.width,
            "height": self.config.height,
            "outputs": outputs,
            "renderer": self._renderer_name,
            "running": running,
            "error": self._fatal,
        }

    @property
    def start_frame(self) -> int | None:
        """The absolute frame with pts 0 (known once started)."""
        return self._clock.start_frame if self._clock is not None else None

    @property
    def outputs(self) -> list[Output]:
        return self._encode.outputs

    @property
    def frames_encoded(self) -> int:
        """Frames encoded so far (counted on the encode thread)."""
        return self._encode.frames_encoded

    def _encode_failed(self, message: str) -> None:
        """The encode thread's error: the program is off air, so rendering stops too."""
        self._fatal = message
        self._stopping.set()

    # --- render thread --------------------------------------------------------------------

    def _render_main(self) -> None:
        from compositor.gl.context import create_context
        from compositor.gl.frame_renderer import FrameRenderer

        try:
            gl = create_context(self.config.gpu_device)
            renderer = FrameRenderer(gl, self.config.width, self.config.height, self._assets)
        except (CompositorError, ValueError) as exc:
            self._fatal = f"renderer could not start: {exc}"
            self._ready.set()
            return
        self._renderer_name = gl.renderer
        self._warm_up(renderer)
        self._clock = FrameClock(
            Fraction(self.config.fps), start_frame=self._start_frame, paced=self._paced,
            time_source=self._now, sleep=self._sleep,
        )
        self._ready.set()
        try:
            self._render_loop(renderer, self._clock)
        except Exception as exc:  # a bug or a lost GPU: say so instead of dying silently
            log.exception("render thread failed")
            self._fatal = f"render thread failed: {exc}"
        finally:
            renderer.release()
            gl.release()
            self._encode.finish()

    def _warm_up(self, renderer: Any) -> None:
        """Draw the first scene once, unpaced and unseen, before the clock starts.

        Decoding its images, rasterising its text and the first use of each shader happen here
        instead of on the first live frames, which would otherwise be dropped as late.
        """
        scene = self._holder.peek()
        if scene is None:
            return
        started = time.perf_counter()
        try:
            fps = Fraction(self.config.fps)
            frame = (self._start_frame if self._start_frame is not None
                     else frame_at(self._now(), fps))
            renderer.render(self._evaluate(scene, frame), None)
            renderer.flush()
        except CompositorError as exc:
            log.warning("warm-up render failed (the live loop will report it): %s", exc)
        log.info("renderer warmed up in %.0f ms", (time.perf_counter() - started) * 1000)

    def _render_loop(self, renderer: Any, clock: FrameClock) -> None:
        blank = Scene(width=self.config.width, height=self.config.height, fps=self.config.fps)
        current = _Current(blank, None)
        state = self._render
        while not self._stopping.is_set():
            if self._max_frames is not None and clock.frames >= self._max_frames:
                break
            tick = clock.tick()
            if tick.skipped:
                self._metrics.frames_dropped.inc(tick.skipped)
            if tick.late:
                self._metrics.frames_late.inc()
            due = self._holder.take(tick.frame)
            if due is not None:
                current = _Current(due[0], due[1])
            scene = current.scene
            reuse = (
                state.last_nv12 is not None and state.scene is scene
                and state.last_frame == tick.frame - 1
                and not self._is_animating(scene, tick.frame) and not self._render_problems
            )
            if reuse:
                self._finish(renderer.flush())
                assert state.last_nv12 is not None
                self._submit(tick, current, state.last_nv12)
                self.frames_reused += 1
                self._metrics.frames_reused.inc()
            else:
                self._draw(renderer, tick, current)
            state.scene = scene
            state.last_frame = tick.frame
        self._finish(renderer.flush() if not self._paced else renderer.completed())

    def _draw(self, renderer: Any, tick: Tick, current: _Current) -> None:
        started = time.perf_counter()
        scene = current.scene
        if self._evaluate_sized is not None:
            static = self._evaluate_sized(
                scene, tick.frame, lambda layer: renderer.natural_size(layer, scene))
        else:
            static = self._evaluate(scene, tick.frame)
        meta = _Meta(tick, current)
        try:
            renderer.render(static, meta)
        except CompositorError as exc:
            self._render_problems = {"render": str(exc)}
            log.error("frame %d: %s", tick.frame, exc)
            return
        self._render_problems = renderer.problems()
        self._metrics.layers_skipped.set(len(self._render_problems))
        self._metrics.render_seconds.observe(time.perf_counter() - started)
        self.frames_rendered += 1
        self._metrics.frames_rendered.inc()
        self._finish(renderer.completed())

    def _finish(self, frames: list[tuple[object, NV12]]) -> None:
        for meta, nv12 in frames:
            assert isinstance(meta, _Meta)
            self._render.last_nv12 = nv12
            self._submit(meta.tick, meta.current, nv12)

    def _submit(self, tick: Tick, current: _Current, nv12: NV12) -> None:
        job = EncodeJob(frame=tick.frame, pts=tick.pts, version=current.scene.version,
                        at_frame=current.at_frame, layers=len(current.scene.layers), nv12=nv12)
        if not self._encode.put(job, force=not self._paced):
            self.frames_dropped += 1
            self._metrics.frames_dropped.inc()


@dataclass(slots=True)
class _Current:
    scene: Scene
    at_frame: int | None


@dataclass(frozen=True, slots=True)
class _Meta:
    """The tag a frame travels under through the readback ring."""

    tick: Tick
    current: _Current


@dataclass(slots=True)
class _RenderState:
    """What the render thread remembers between frames (for reuse)."""

    scene: Scene | None = None
    last_frame: int | None = None
    last_nv12: NV12 | None = None


def _aggregate(states: list[str], running: bool, fatal: str | None) -> str:
    if fatal is not None:
        return "error"
    if not running or not states:
        return "idle"
    if all(s == "error" for s in states):
        return "error"
    for state in ("reconnecting", "connecting", "error"):
        if state in states:
            return state
    return "live"

