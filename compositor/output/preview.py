"""The preview: the latest program frame as a small JPEG, made lazily at a bounded rate.

The encode thread only hands over a reference to each NV12 frame (:meth:`Preview.offer`, O(1));
the conversion happens in the caller of :meth:`Preview.jpeg` (an HTTP handler), at most
``max_fps`` times a second: between conversions the cached bytes are returned. So the preview
costs the pipeline nothing, and nothing at all while nobody looks.

The conversion subsamples the NV12 planes with numpy (nearest sample, no full-size RGB image),
applies the BT.709 limited-range matrix, then Pillow scales to the exact width and encodes JPEG.
Frames handed to :meth:`offer` must not be modified afterwards (read-back frames are not).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["Preview", "nv12_to_rgb"]

# BT.709 limited range: Y in 16..235, Cb/Cr in 16..240 (centred on 128).
_Y_SCALE = 255.0 / 219.0
_C_SCALE = 255.0 / 224.0
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB


def nv12_to_rgb(nv12: npt.NDArray[np.uint8], step: int = 1) -> npt.NDArray[np.uint8]:
    """RGB (h/step, w/step, 3) from an NV12 frame (BT.709, limited range), every ``step``-th
    sample in each direction (chroma from the co-sited 2x2 block)."""
    height = nv12.shape[0] * 2 // 3
    width = nv12.shape[1]
    rows = np.arange(0, height, step)
    cols = np.arange(0, width, step)
    y = nv12[rows][:, cols].astype(np.float32)
    uv = nv12[height:].reshape(height // 2, width // 2, 2)
    chroma = uv[rows // 2][:, cols // 2].astype(np.float32)
    luma = (y - 16.0) * _Y_SCALE
    cb = (chroma[..., 0] - 128.0) * _C_SCALE
    cr = (chroma[..., 1] - 128.0) * _C_SCALE
    r = luma + 2.0 * (1.0 - _KR) * cr
    b = luma + 2.0 * (1.0 - _KB) * cb
    g = (luma - _KR * r - _KB * b) / _KG
    rgb = np.stack((r, g, b), axis=-1)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


class Preview:
    """Latest-frame JPEG cache. Thread-safe: ``offer`` from the encode thread, ``jpeg`` anywhere."""

    def __init__(
        self,
        width: int = 640,
        max_fps: float = 5.0,
        *,
        quality: int = 80,
        time_source: Callable[[], float] = time.monotonic,
    ) -> None:
        self.width = width
        self._min_interval_s = 1.0 / max_fps if max_fps > 0 else 0.0
        self._quality = quality
        self._now = time_source
        self._lock = threading.Lock()
        self._frame: npt.NDArray[np.uint8] | None = None
        self._serial = 0  # bumps with every offered frame
        self._image: Image.Image | None = None
        self._image_serial = -1
        self._made_at = float("-inf")
        self._jpegs: dict[int, bytes] = {}

    def offer(self, nv12: npt.NDArray[np.uint8]) -> None:
        """Remember ``nv12`` as the latest program frame (no copy, no conversion)."""
        with self._lock:
            self._frame = nv12
            self._serial += 1

    def jpeg(self, width: int | None = None) -> bytes | None:
        """The latest frame as JPEG, ``width`` px wide (default: the preview width, at most the
        frame's); None before the first frame. Refreshed at most ``max_fps`` times a second."""
        with self._lock:
            if self._frame is None:
                return None
            now = self._now()
            stale = self._image_serial != self._serial
            if self._image is None or (stale and now - self._made_at >= self._min_interval_s):
                self._image = self._convert(self._frame)
                self._image_serial = self._serial
                self._made_at = now
                self._jpegs.clear()
            target = max(16, min(width or self.width, self._frame.shape[1]))
            cached = self._jpegs.get(target)
            if cached is None:
                cached = self._encode(self._image, target)
                self._jpegs[target] = cached
            return cached

    def _convert(self, nv12: npt.NDArray[np.uint8]) -> Image.Image:
        # Subsample to at least the preview width, then let Pillow scale the small image.
        step = max(1, nv12.shape[1] // max(1, self.width))
        return Image.fromarray(nv12_to_rgb(nv12, step), mode="RGB")

    def _encode(self, image: Image.Image, width: int) -> bytes:
        height = max(1, round(image.height * width / image.width))
        if (width, height) != image.size:
            image = image.resize((width, height), Image.Resampling.BILINEAR)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=self._quality)
        return out.getvalue()
