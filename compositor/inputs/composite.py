"""One media source for the pipeline: clips from the clip library, live inputs from the hub.

The render thread asks one object (the pipeline's ``media``) for every ``video`` layer's
picture and for the program audio. :class:`MediaRouter` implements the same protocol
(:class:`MediaSource`) by dispatching on the layer's content: ``asset`` to the clip library,
``input`` to the :class:`~compositor.inputs.hub.InputHub`; the mixes are summed (problems are
the clips': see :meth:`MediaRouter.problems`). Either side may be absent. It satisfies the
pipeline's ``compositor.pipeline.media.MediaSource`` (this package may not import the pipeline:
the control plane reads input definitions from here).

``input_size`` is the natural size of an input layer: the size of the input's current picture
(None before the first), for the renderer to use as it uses ``info`` for clips.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from compositor.inputs.hub import InputHub
from compositor.media.frame import VideoFrame
from compositor.media.info import MediaInfo
from compositor.media.timeline import audio_samples_at
from compositor.scene import Scene, VideoContent

__all__ = ["MediaRouter", "MediaSource"]


class MediaSource(Protocol):
    """What the render thread asks of clips and inputs (the clip library's methods)."""

    def info(self, asset_id: str) -> MediaInfo | None: ...

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None: ...

    def end_frame(self, playing: set[str]) -> None: ...

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]: ...

    def problems(self) -> dict[str, str]: ...


class MediaRouter:
    """Clips (``clips``) and live inputs (``inputs``) behind one :class:`MediaSource`."""

    def __init__(self, clips: MediaSource | None, inputs: InputHub | None) -> None:
        self.clips = clips
        self.inputs = inputs

    def info(self, asset_id: str) -> MediaInfo | None:
        return None if self.clips is None else self.clips.info(asset_id)

    def input_size(self, input_id: str) -> tuple[int, int] | None:
        return None if self.inputs is None else self.inputs.input_size(input_id)

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> VideoFrame | None:
        source = self.inputs if content.input is not None else self.clips
        if source is None:
            return None
        return source.video_frame(layer_id, content, fps, frame, wait_s=wait_s)

    def _sources(self) -> list[MediaSource | InputHub]:
        return [source for source in (self.clips, self.inputs) if source is not None]

    def end_frame(self, playing: set[str]) -> None:
        for source in self._sources():
            source.end_frame(playing)

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]:
        count = audio_samples_at(fps, frame + 1) - audio_samples_at(fps, frame)
        out = np.zeros((count, 2), np.float32)
        for source in self._sources():
            out += source.mix(scene, fps, frame)
        return out

    def problems(self) -> dict[str, str]:
        """The clips' problems (layer id -> why). An input that is not live is not a layer's
        problem (its layers show the fallback chosen for it): the hub reports inputs."""
        return {} if self.clips is None else self.clips.problems()
