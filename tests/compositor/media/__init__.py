"""Helpers for the live-output tests: synthetic NV12 frames and reading media back with PyAV.

(This package also holds the tests of compositor/media; these helpers stay importable as
``tests.compositor.media``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

__all__ = ["Decoded", "decode_audio", "decode_file", "flat_nv12", "rgb_to_ycbcr709"]


def rgb_to_ycbcr709(r: int, g: int, b: int) -> tuple[int, int, int]:
    """8-bit BT.709 limited-range Y, Cb, Cr of an sRGB-encoded colour."""
    rf, gf, bf = r / 255, g / 255, b / 255
    y = 0.2126 * rf + 0.7152 * gf + 0.0722 * bf
    cb = (bf - y) / 1.8556
    cr = (rf - y) / 1.5748
    return round(16 + 219 * y), round(128 + 224 * cb), round(128 + 224 * cr)


def flat_nv12(width: int, height: int, rgb: tuple[int, int, int]) -> npt.NDArray[np.uint8]:
    y, cb, cr = rgb_to_ycbcr709(*rgb)
    frame = np.empty((height * 3 // 2, width), np.uint8)
    frame[:height] = y
    frame[height:, 0::2] = cb
    frame[height:, 1::2] = cr
    return frame


@dataclass
class Decoded:
    frames: list[npt.NDArray[np.uint8]] = field(default_factory=list)  # RGB
    pts_s: list[float] = field(default_factory=list)
    keyframes: list[int] = field(default_factory=list)  # indexes of key frames
    color: tuple[int, int, int, int] = (0, 0, 0, 0)  # primaries, trc, matrix, range
    average_rate: Fraction | None = None
    audio_codec: str | None = None
    audio_rate: int | None = None


def decode_file(path: str) -> Decoded:
    out = Decoded()
    with av.open(path, mode="r") as container:
        video = container.streams.video[0]
        out.average_rate = video.average_rate
        if container.streams.audio:
            audio = container.streams.audio[0]
            out.audio_codec = audio.codec_context.name
            out.audio_rate = audio.codec_context.sample_rate
        for frame in container.decode(video=0):
            if frame.key_frame:
                out.keyframes.append(len(out.frames))
            rgb: npt.NDArray[np.uint8] = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
            out.frames.append(rgb)
            out.pts_s.append(float(frame.time))
            out.color = (frame.color_primaries, frame.color_trc, frame.colorspace,
                         frame.color_range)
    return out


def decode_audio(url_or_path: str, options: dict[str, str] | None = None,
                 *, max_seconds: float | None = None) -> tuple[int, npt.NDArray[np.float32]]:
    """The first audio stream decoded to float32 stereo (n, 2): ``(first sample, samples)``, the
    first sample being the decoded start time in 48 kHz samples (container time)."""
    chunks: list[npt.NDArray[np.float32]] = []
    first: int | None = None
    with av.open(url_or_path, mode="r", options=options or {}) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            if first is None:
                first = round(float(frame.time or 0.0) * 48_000)
            planes = np.asarray(frame.to_ndarray(), dtype=np.float32)
            chunks.append(planes.T if frame.format.is_planar else planes.reshape(-1, 2))
            if max_seconds is not None and sum(len(c) for c in chunks) >= max_seconds * 48_000:
                break
    samples = np.concatenate(chunks) if chunks else np.zeros((0, 2), np.float32)
    return first or 0, samples
