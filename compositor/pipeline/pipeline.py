"""The pipeline: render thread -> bounded queue -> encode thread -> outputs and preview.

- The **render thread** (:class:`compositor.pipeline.render_stage.RenderStage`) owns the GL
  context. At each frame boundary it takes the newest published scene that is due, evaluates it
  for that absolute frame, renders, converts to NV12 on the GPU and reads back asynchronously, or
  reuses the previous frame when nothing changed.
- The **encode thread** (:class:`compositor.pipeline.encode_stage.EncodeStage`) encodes each
  frame once and hands the packets to every output (each writes on its own thread, see
  :mod:`compositor.output.base`) and the frame to the preview.
- Live (paced) runs keep real time: if rendering falls a frame behind the clock skips frames, and
  if the encode queue is full the frame is dropped; both are counted. :meth:`Pipeline.publish`
  never blocks. Offline (unpaced) runs lose nothing: the queue and outputs wait instead.

A pipeline is built from one :class:`~compositor.pipeline.config.PipelineConfig`: format, run
mode, the one ``evaluate`` hook (by default :func:`compositor.scene.animation.evaluate_with_sizes`,
so live and offline runs evaluate alike) and the observer hooks.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from fractions import Fraction
from typing import Any

from compositor.errors import GLContextError
from compositor.gl.textures import AssetSource
from compositor.metrics import PipelineMetrics
from compositor.output import Output, VideoParams
from compositor.pipeline.config import NaturalSize, PipelineConfig
from compositor.pipeline.encode_stage import AppliedFrame, EncodeStage
from compositor.pipeline.holder import SceneHolder
from compositor.pipeline.media import MediaSource
from compositor.pipeline.preview_requests import RGBA
from compositor.pipeline.render_stage import RenderStage
from compositor.scene import Scene

__all__ = ["AppliedFrame", "MediaSource", "NaturalSize", "Pipeline", "PipelineConfig",
           "SceneHolder"]

log = logging.getLogger(__name__)


class Pipeline:
    """Renders, encodes and sends the program. See the module docstring for the threads.

    An unpaced config renders from ``start_frame`` for ``max_frames`` frames without dropping
    anything (offline); :meth:`wait` returns when that is done. ``media`` (a
    ``compositor.media.MediaLibrary``) plays clip layers and mixes the program audio; without
    it clip layers draw nothing and the audio is silence.
    """

    def __init__(self, config: PipelineConfig, assets: AssetSource,
                 metrics: PipelineMetrics, media: MediaSource | None = None) -> None:
        self.config = config
        self._holder = SceneHolder()
        self._stopping = threading.Event()
        self._render_thread: threading.Thread | None = None
        self._fatal: str | None = None
        self._encode = EncodeStage(
            VideoParams(config.width, config.height, Fraction(config.fps)), metrics,
            encoder=config.encoder, encoder_config=config.encoder_config(),
            queue_frames=config.encode_queue_frames, audio=config.audio,
            lossless=not config.paced, preview_width=config.preview_width,
            preview_max_fps=config.preview_max_fps, time_source=config.time_source,
            on_failed=self._failed, max_frames=config.max_frames,
            on_applied=config.on_applied, on_encoded=config.on_encoded,
            on_frame=config.on_frame,
        )
        self._render = RenderStage(config, assets, metrics, self._holder, self._encode,
                                   self._stopping, self._failed, media)

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
        self._render_thread = threading.Thread(target=self._render.run, name="render",
                                               daemon=True)
        self._render_thread.start()
        if not self._render.ready.wait(timeout):
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

    def held_scenes(self) -> list[Scene]:
        """The scene on air and every published scene waiting for its frame (any thread): what
        the pipeline may still show without a new publish (clips they name must stay ready)."""
        on_air = self._render.on_air
        return ([] if on_air is None else [on_air]) + self._holder.waiting()

    def start_output(self, url: str) -> None:
        """Add an output (RTMP(S) URL or file path) to the running encode; idempotent per URL."""
        self._encode.start_output(url)

    def stop_output(self, url: str | None = None, timeout: float = 5.0) -> None:
        """Stop one output (by the URL it was started with) or all (None)."""
        self._encode.stop_output(url, timeout)

    def preview_jpeg(self, width: int | None = None) -> bytes | None:
        """The latest program frame as JPEG (``width`` px wide), or None before the first."""
        return self._encode.preview_jpeg(width)

    def request_preview(self, scene: Scene, frame: int) -> Future[RGBA]:
        """A picture of ``scene`` (not on air) at absolute ``frame``, rendered between program
        frames (:mod:`compositor.pipeline.preview_requests`); raises ``PreviewBusyError``."""
        return self._render.previews.submit(scene, frame)

    def problems(self) -> dict[str, str]:
        """What is wrong now: renderer layer problems and failed clips (by layer id), a fatal
        error, failing outputs."""
        found = dict(self._render.problems)
        if self._fatal is not None:
            found["pipeline"] = self._fatal
        for output in self._encode.outputs:
            if output.state in ("reconnecting", "error"):
                found[f"output {output.name}"] = f"{output.state}: {output.last_error}"
        return found

    def status(self) -> dict[str, Any]:
        """The body of ``GET /api/v1/output`` (see CONTRACT.md); never blocks for long."""
        outputs = [o.status() for o in self._encode.outputs]
        clock = self._render.clock
        running = self._render_thread is not None and self._fatal is None
        return {
            "state": _aggregate([str(o["state"]) for o in outputs], running, self._fatal),
            "url": outputs[0]["url"] if outputs else None,
            "frames": self.frames_encoded,
            "rendered": self._render.frames_rendered,
            "reused": self._render.frames_reused,
            "dropped": self._render.frames_dropped + (clock.dropped if clock else 0),
            "late": clock.late if clock else 0,
            "fps": self._encode.measured_fps(),
            "target_fps": float(self.config.fps),
            "encoder": self._encode.encoder_name,
            "bitrate": self.config.bitrate_bps,
            "width": self.config.width,
            "height": self.config.height,
            "outputs": outputs,
            "audio": {"peak_dbfs": self._encode.program_audio.peak_dbfs()},
            "renderer": self._render.renderer_name,
            "previews": {"served": self._render.previews.served,
                         "refused": self._render.previews.refused,
                         "expired": self._render.previews.expired},
            "running": running,
            "error": self._fatal,
        }

    @property
    def start_frame(self) -> int | None:
        """The absolute frame with pts 0 (known once started)."""
        clock = self._render.clock
        return clock.start_frame if clock is not None else None

    @property
    def outputs(self) -> list[Output]:
        return self._encode.outputs

    @property
    def frames_encoded(self) -> int:
        """Frames encoded so far (counted on the encode thread)."""
        return self._encode.frames_encoded

    def _failed(self, message: str) -> None:
        """A thread's fatal error: the program is off air, so both threads stop."""
        self._fatal = message
        self._stopping.set()


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

