"""A JPEG of a live picture (the web page's thumbnail of an input)."""

from __future__ import annotations

import io

import numpy as np
import numpy.typing as npt
from PIL import Image

from compositor.media.frame import VideoFrame

__all__ = ["frame_to_rgb", "thumbnail_jpeg"]

_MATRIX = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}


def frame_to_rgb(frame: VideoFrame) -> npt.NDArray[np.uint8]:
    """``frame`` as sRGB-coded RGB, (height, width, 3) uint8: YUV to RGB with the frame's own
    matrix and range (chroma repeated, not filtered)."""
    kr, kb = _MATRIX[frame.matrix]
    kg = 1.0 - kr - kb
    y = frame.y.astype(np.float32)
    u = np.repeat(np.repeat(frame.u, 2, 0), 2, 1)[: frame.height, : frame.width]
    v = np.repeat(np.repeat(frame.v, 2, 0), 2, 1)[: frame.height, : frame.width]
    cb, cr = u.astype(np.float32) - 128.0, v.astype(np.float32) - 128.0
    if not frame.full_range:
        y, cb, cr = (y - 16.0) * (255 / 219), cb * (255 / 224), cr * (255 / 224)
    red = y + 2 * (1 - kr) * cr
    blue = y + 2 * (1 - kb) * cb
    green = (y - kr * red - kb * blue) / kg
    return np.clip(np.stack([red, green, blue], axis=-1) + 0.5, 0, 255).astype(np.uint8)


def thumbnail_jpeg(frame: VideoFrame, width: int = 320, quality: int = 80) -> bytes:
    """``frame`` as a JPEG ``width`` pixels wide (16..1920; the height follows the aspect
    ratio). Blocking: call off the event loop."""
    image = Image.fromarray(frame_to_rgb(frame), "RGB")
    width = max(16, min(width, 1920))
    height = max(1, round(frame.height * width / frame.width))
    image = image.resize((width, height), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()
