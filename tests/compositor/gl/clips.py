"""A small real :class:`compositor.gl.video.ClipSource` for the GL tests: fixed YUV pictures.

Pictures are made from a smooth RGB gradient converted to Y'CbCr (BT.601 or BT.709, limited or
full range) and 2x2-averaged chroma, quantised to uint8 as a decoder would hand them over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from compositor.scene import VideoContent

__all__ = ["FixedClips", "Picture", "yuv_picture"]

U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Picture:
    key: tuple[str, int]
    width: int
    height: int
    y: U8
    u: U8
    v: U8
    matrix: Literal["bt601", "bt709"]
    full_range: bool


def yuv_picture(width: int, height: int, *, matrix: Literal["bt601", "bt709"] = "bt709",
                full_range: bool = False, key: tuple[str, int] = ("clip", 0),
                shift: float = 0.0) -> Picture:
    """A gradient picture (red along x, green along y, blue across) of ``width`` x ``height``;
    ``shift`` moves the gradient so that pictures of different frames differ."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.zeros((height, width, 3))
    rgb[..., 0] = 0.1 + 0.8 * ((x + shift) % 1.0)
    rgb[..., 1] = 0.15 + 0.7 * y
    rgb[..., 2] = 0.9 - 0.6 * (x + y) / 2
    kr, kb = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}[matrix]
    luma = kr * rgb[..., 0] + (1 - kr - kb) * rgb[..., 1] + kb * rgb[..., 2]
    pb = (rgb[..., 2] - luma) / (2 * (1 - kb))
    pr = (rgb[..., 0] - luma) / (2 * (1 - kr))
    if full_range:
        yc, cb, cr = luma * 255, 128 + pb * 255, 128 + pr * 255
    else:
        yc, cb, cr = 16 + luma * 219, 128 + pb * 224, 128 + pr * 224

    def half(plane: npt.NDArray[np.float64]) -> U8:
        padded = np.pad(plane, ((0, height % 2), (0, width % 2)), mode="edge")
        pooled = (padded[0::2, 0::2] + padded[1::2, 0::2] + padded[0::2, 1::2]
                  + padded[1::2, 1::2]) / 4
        return np.clip(np.rint(pooled), 0, 255).astype(np.uint8)

    return Picture(key, width, height, np.clip(np.rint(yc), 0, 255).astype(np.uint8),
                   half(cb), half(cr), matrix, full_range)


@dataclass
class FixedClips:
    """Clips by asset id: a display size and pictures shown in turn, one per frame from 0."""

    clips: dict[str, tuple[tuple[float, float], list[Picture]]] = field(default_factory=dict)
    asked: list[tuple[str, int]] = field(default_factory=list)  # (layer id, frame)

    def size(self, content: VideoContent) -> tuple[float, float] | None:
        clip = self.clips.get(content.asset or "")
        return None if clip is None else clip[0]

    def picture(self, layer_id: str, content: VideoContent, frame: int) -> Picture | None:
        self.asked.append((layer_id, frame))
        clip = self.clips.get(content.asset or "")
        if clip is None or frame < 0:
            return None
        pictures = clip[1]
        return pictures[min(frame, len(pictures) - 1)]
