"""What the pipeline needs of the clip library, as a protocol, and how it feeds the renderer.

:class:`MediaSource` is the part of ``compositor.media.MediaLibrary`` the render thread uses
(``MediaLibrary`` satisfies it; tests may pass a small real implementation of their own), so the
pipeline depends on this protocol, not on the decoders. :class:`PipelineClips` turns it into the
renderer's :class:`~compositor.gl.video.ClipSource` for one channel rate and one waiting policy:
live renders never wait for a decoder (``wait_s=0``: the newest decoded picture, a late one
counted by the library); offline renders wait up to :data:`OFFLINE_WAIT_S` per picture, so they
are deterministic.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from compositor.errors import AssetError
from compositor.gl.video import YuvPicture
from compositor.scene import AudioContent, Layer, Scene, VideoContent

__all__ = [
    "OFFLINE_WAIT_S",
    "ClipInfo",
    "MediaSource",
    "PipelineClips",
    "video_clips",
    "clip_layers",
    "shows_clip",
]

OFFLINE_WAIT_S = 10.0
"""Seconds an offline (unpaced) render waits for a clip picture before showing what it has."""


class ClipInfo(Protocol):
    """The part of ``compositor.media.MediaInfo`` the renderer needs: the display size in px
    (sample aspect applied; None for sound-only media)."""

    @property
    def width(self) -> int | None: ...
    @property
    def height(self) -> int | None: ...


class MediaSource(Protocol):
    """Prepared clips, as the render thread sees them (``compositor.media.MediaLibrary``).

    Every method is called on the render thread and returns without blocking on I/O, except
    :meth:`video_frame`, which waits at most ``wait_s`` seconds.
    """

    def info(self, asset_id: str) -> ClipInfo | None:
        """The probed media of ``asset_id``; None while it is not prepared."""
        ...

    def video_frame(self, layer_id: str, content: VideoContent, fps: Fraction, frame: int,
                    *, wait_s: float = 0.0) -> YuvPicture | None:
        """The picture layer ``layer_id`` shows at absolute ``frame`` (None: nothing)."""
        ...

    def end_frame(self, playing: set[str]) -> None:
        """Called once per frame with the ids of the clip layers that still play."""
        ...

    def mix(self, scene: Scene, fps: Fraction, frame: int) -> npt.NDArray[np.float32]:
        """Program audio of absolute ``frame`` for the evaluated ``scene``: float32 of shape
        (S(frame + 1) - S(frame), 2), S(f) = floor(f * 48000 / fps), 48 kHz stereo."""
        ...

    def problems(self) -> dict[str, str]:
        """Layer id -> why its clip failed while playing."""
        ...


class PipelineClips:
    """The renderer's clip source: ``media`` at the channel rate ``fps``, waiting ``wait_s``."""

    def __init__(self, media: MediaSource, fps: Fraction, wait_s: float) -> None:
        self._media = media
        self._fps = Fraction(fps)
        self._wait_s = wait_s

    def size(self, content: VideoContent) -> tuple[float, float] | None:
        info = self._media.info(content.asset) if content.asset is not None else None
        if info is None or info.width is None or info.height is None:
            return None
        return float(info.width), float(info.height)

    def picture(self, layer_id: str, content: VideoContent, frame: int) -> YuvPicture | None:
        """The library's picture; any failure of the library is this layer's problem
        (:class:`AssetError`, so the renderer skips and reports the layer), never the frame's."""
        try:
            return self._media.video_frame(layer_id, content, self._fps, frame,
                                           wait_s=self._wait_s)
        except Exception as exc:  # the library's own errors and its bugs alike
            raise AssetError(f"clip {content.asset}: {exc}") from exc


def clip_layers(scene: Scene) -> set[str]:
    """Ids of the clip layers (video with an asset, audio) of ``scene``, its exiting ones
    included, that are ``visible``: the layers whose clips play (decoders keep running)."""
    return {layer.id for layer in (*scene.layers, *scene.exiting)
            if layer.visible and _is_clip(layer)}


def shows_clip(scene: Scene) -> bool:
    """Whether a visible video clip or live input is in ``scene``: its picture may change
    every frame."""
    return any(layer.visible and isinstance(layer.content, VideoContent)
               and (layer.content.asset is not None or layer.content.input is not None)
               for layer in (*scene.layers, *scene.exiting))


def video_clips(scene: Scene) -> list[tuple[str, VideoContent]]:
    """(layer id, content) of the visible video layers of ``scene`` that play a clip (not a
    live input): the decoders a scene needs."""
    return [(layer.id, layer.content) for layer in scene.layers
            if layer.visible and isinstance(layer.content, VideoContent)
            and layer.content.asset is not None]


def _is_clip(layer: Layer) -> bool:
    content = layer.content
    if isinstance(content, AudioContent):
        return True
    return isinstance(content, VideoContent) and content.asset is not None
