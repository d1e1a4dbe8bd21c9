"""One media source for the pipeline: clips from the clip library, live inputs from the hub.

The render thread asks one object (the pipeline's ``media``) for every ``video`` layer's
picture and for the program audio. :class:`MediaRouter` implements the same protocol
(:class:`MediaSource`) by dispatching on the layer's content: ``asset`` to the clip library,
``input`` to the :class:`~compositor.inputs.hub.InputHub`; the mixes are summed and the problems
merged. Either side may be absent.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from compositor.media.frame import VideoFrame
from compositor.media.timeline import audio_samples_at
from compositor.scene import Scene, VideoContent

__all__ = ["MediaRouter", "MediaSource"]


class MediaSource(Protocol):
    """What the render thread asks of clips and inputs (the clip library's methods)."""

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None: ...

    def end_frame(self, playing: set[str]) -> None: ...

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]: ...

    def problems(self) -> dict[str, str]: ...


class MediaRouter:
    """Clips (``clips``) and live inputs (``inputs``) behind one :class:`MediaSource`."""

    def __init__(self, clips: MediaSource | None, inputs: MediaSource | None) -> None:
        self.clips = clips
        self.inputs = inputs

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None:
        source = self.inputs if content.input is not None else self.clips
        if source is None:
            return None
        return source.video_frame(layer_id, content, fps, frame, wait_s=wait_s)

    def end_frame(self, playing: set[str]) -> None:
        for source in (self.clips, self.inputs):
            if source is not None:
                source.end_frame(playing)

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]:
        count = audio_samples_at(fps, frame + 1) - audio_samples_at(fps, frame)
        out = np.zeros((count, 2), np.float32)
        for source in (self.clips, self.inputs):
            if source is not None:
                out += source.mix(scene, fps, frame)
        return out

    def problems(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for source in (self.clips, self.inputs):
            if source is not None:
                found.update(source.problems())
        return found
