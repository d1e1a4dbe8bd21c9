"""A small real :class:`compositor.pipeline.media.MediaSource` for the pipeline tests.

Every asset of :class:`ToneMedia` is the same synthetic clip at the channel's rate: media frame
``i`` (``i = frame - start_frame``) is a dark grey picture, except frame ``flash`` which is
white; its sound is silence before media sample ``flash * 48000 / fps`` and a sine of
``amplitude`` at ``tone_hz`` from there on (the beep starts on the flash's frame). Mixing follows
the contract: every visible, unmuted video/audio clip layer, times its volume, sample-exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from compositor.media.frame import VideoFrame
from compositor.pipeline.audio import sample_at
from compositor.scene import AudioContent, Scene, VideoContent

__all__ = ["Info", "ToneMedia"]


@dataclass(frozen=True)
class Info:
    kind: Literal["video", "audio"]
    width: int | None
    height: int | None


@dataclass
class ToneMedia:
    """See the module docstring. ``failing`` names layers reported as failed."""

    flash: int = 10
    tone_hz: float = 1000.0
    amplitude: float = 0.5
    size: tuple[int, int] = (64, 36)
    hold_flash: bool = False  # white from the flash on (not one frame): a dropped frame only
    #                           delays it, by as much as it delays the sound
    failing: dict[str, str] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)
    playing: list[set[str]] = field(default_factory=list)
    mixed: list[int] = field(default_factory=list)

    def info(self, asset_id: str) -> Info | None:
        return Info("video", *self.size)

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None:
        self.waits.append(wait_s)
        if content.start_frame is None or frame < content.start_frame:
            return None
        index = frame - content.start_frame
        width, height = self.size
        white = index >= self.flash if self.hold_flash else index == self.flash
        luma = 235 if white else 40
        y = np.full((height, width), luma, np.uint8)
        chroma = np.full((height // 2, width // 2), 128, np.uint8)
        return VideoFrame((content.asset or "", index), width, height, y, chroma, chroma,
                          "bt709", False)

    def end_frame(self, playing: set[str]) -> None:
        self.playing.append(set(playing))

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]:
        self.mixed.append(frame)
        first, end = sample_at(frame, fps), sample_at(frame + 1, fps)
        out = np.zeros((end - first, 2), dtype=np.float64)
        for layer in scene.layers:
            content = layer.content
            if not isinstance(content, (VideoContent, AudioContent)) or not layer.visible:
                continue
            if content.muted or content.start_frame is None or not content.asset:
                continue
            out += self.pcm(first - sample_at(content.start_frame, fps), end - first,
                            fps)[:, None] * content.volume
        return out.astype(np.float32)

    def pcm(self, start: int, count: int, fps: Fraction) -> npt.NDArray[np.float64]:
        """The clip's mono sound for media samples ``[start, start + count)``."""
        n = np.arange(start, start + count)
        onset = self.onset_sample(fps)
        wave = self.amplitude * np.sin(2 * math.pi * self.tone_hz * (n - onset) / 48_000)
        return np.where(n >= onset, wave, 0.0)

    def onset_sample(self, fps: Fraction) -> int:
        return sample_at(self.flash, fps)

    def problems(self) -> dict[str, str]:
        return dict(self.failing)
