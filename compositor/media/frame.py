"""A decoded clip picture as three uint8 planes, ready to upload as R8 textures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Matrix", "VideoFrame", "video_frame_from_av"]

Matrix = Literal["bt601", "bt709"]

# FFmpeg's AVColorSpace values (the tag a stream carries): BT.709, and the BT.601 family.
_BT709 = 1
_BT601 = frozenset({4, 5, 6})  # FCC, BT470BG, SMPTE170M
_FULL_RANGE = 2  # AVCOL_RANGE_JPEG
_FULL_RANGE_FORMATS = frozenset({"yuvj420p", "yuvj422p", "yuvj444p", "yuvj440p", "yuvj411p"})


@dataclass(frozen=True, slots=True)
class VideoFrame:
    """One clip picture in yuv420p.

    ``key`` is ``(asset id, media frame index)``: the same key is the same picture, so a
    renderer re-uploads only when it changes. ``width``/``height`` are the coded size of the
    luma plane ``y`` (shape (height, width)); ``u``/``v`` are the half-size chroma planes
    (shape ((height + 1) // 2, (width + 1) // 2)). ``matrix`` and ``full_range`` say how to turn
    them into RGB: from the stream's tags, or when untagged BT.601 up to 576 lines and BT.709
    above, limited range.
    """

    key: tuple[str, int]
    width: int
    height: int
    y: npt.NDArray[np.uint8]
    u: npt.NDArray[np.uint8]
    v: npt.NDArray[np.uint8]
    matrix: Matrix
    full_range: bool


def _plane(plane: Any, width: int, height: int) -> npt.NDArray[np.uint8]:
    rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
    return np.ascontiguousarray(rows[:height, :width])


def _matrix(colorspace: int, height: int) -> Matrix:
    if colorspace == _BT709:
        return "bt709"
    if colorspace in _BT601:
        return "bt601"
    return "bt601" if height <= 576 else "bt709"


def video_frame_from_av(frame: Any, key: tuple[str, int]) -> VideoFrame:
    """Our picture from a PyAV frame of any pixel format (decoder thread: reformatting costs).

    yuv420p and yuvj420p are copied as they are; anything else is converted to yuv420p with
    the frame's own matrix, keeping its range (full-range sources stay full range)."""
    width, height = int(frame.width), int(frame.height)
    fmt = frame.format.name
    full = fmt in _FULL_RANGE_FORMATS or int(frame.color_range) == _FULL_RANGE
    matrix = _matrix(int(frame.colorspace), height)
    if fmt not in ("yuv420p", "yuvj420p"):
        frame = frame.reformat(format="yuv420p", src_colorspace=_tag(matrix),
                               dst_colorspace=_tag(matrix), src_color_range=_range(full),
                               dst_color_range=_range(full))
    cw, ch = (width + 1) // 2, (height + 1) // 2
    y, u, v = (_plane(frame.planes[0], width, height), _plane(frame.planes[1], cw, ch),
               _plane(frame.planes[2], cw, ch))
    return VideoFrame(key=key, width=width, height=height, y=y, u=u, v=v, matrix=matrix,
                      full_range=full)


def _tag(matrix: Matrix) -> str:
    return "ITU709" if matrix == "bt709" else "ITU601"


def _range(full: bool) -> str:
    return "JPEG" if full else "MPEG"
