"""The one value a :class:`~compositor.pipeline.Pipeline` is built from.

:class:`PipelineConfig` says what the program looks like (size, rate, encoder, outputs), how it
runs (paced on the clock, or offline from ``start_frame`` for ``max_frames``), how a scene is
evaluated at a frame (one hook, used by the warm-up and every frame alike) and who is told what
(the observer hooks). Live and offline runs differ only in the run fields, so they evaluate, and
therefore render, identically.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from compositor.encode import EncoderConfig
from compositor.pipeline.encode_stage import AppliedFrame
from compositor.scene import Layer, Scene, animation

__all__ = ["Evaluate", "IsAnimating", "NV12", "NaturalSize", "PipelineConfig"]

NV12 = npt.NDArray[np.uint8]
NaturalSize = Callable[[Layer], tuple[float, float] | None]
Evaluate = Callable[[Scene, int, NaturalSize], Scene]
"""``evaluate(scene, frame, natural_size)``: the static scene on air at absolute ``frame``;
``natural_size(layer)`` is the renderer's size of a layer's content in pixels (slides of images
and text start just off the canvas), or None when it has none."""
IsAnimating = Callable[[Scene, int], bool]
"""``is_animating(scene, frame)``: must be True whenever ``evaluate`` at ``frame`` may differ
from ``evaluate`` at ``frame - 1`` (False lets the pipeline reuse the previous frame)."""


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """Everything a pipeline needs besides its assets and metrics.

    Format: ``fps`` is exact, ``bitrate_bps`` bits per second, ``keyframe_interval_s`` and
    ``preview_max_fps`` in seconds and frames per second. Run: ``paced=True`` keeps real time
    (late frames are skipped, a full encode queue drops); ``paced=False`` renders absolute frames
    ``start_frame ..`` as fast as possible for ``max_frames`` frames and loses nothing.
    ``start_frame`` None means the frame of the clock at start. Hooks: ``on_applied`` with the
    first encoded frame of each scene version, ``on_encoded(frame, seconds)`` after each frame
    and ``on_frame(frame, nv12)`` with each frame's pixels before encoding (do not keep or change
    the array); all three run on the encode thread. ``time_source`` gives Unix seconds and
    ``sleep`` waits, for paced runs (tests substitute both).
    """

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
    damage: bool = True  # redraw only what changed (False: every rendered frame whole)
    frame_format: str = "rgba16f"  # the renderer's working frame: "rgba16f" or "rgba8"
    encoder_threads: int = 0  # 0: libx264 picks
    # how it runs
    paced: bool = True
    start_frame: int | None = None
    max_frames: int | None = None
    # how a scene becomes the static scene of one frame
    evaluate: Evaluate = animation.evaluate_with_sizes
    is_animating: IsAnimating = animation.is_animating
    # who is told
    on_applied: Callable[[AppliedFrame], None] | None = None
    on_encoded: Callable[[int, float], None] | None = None
    on_frame: Callable[[int, NV12], None] | None = None
    time_source: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def encoder_config(self) -> EncoderConfig:
        return EncoderConfig(
            width=self.width, height=self.height, fps=Fraction(self.fps),
            bitrate_bps=self.bitrate_bps, keyframe_interval_s=self.keyframe_interval_s,
            x264_preset=self.x264_preset, threads=self.encoder_threads,
            gpu_device=self.gpu_device,
        )

    def offline(self, start_frame: int, frames: int) -> PipelineConfig:
        """This config unpaced: absolute frames ``start_frame .. start_frame + frames - 1``."""
        return replace(self, paced=False, start_frame=start_frame, max_frames=frames)
