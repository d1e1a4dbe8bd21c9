"""The encoder interface: NV12 frames in, H.264 access units (Annex B) out.

Every encoder takes host NV12 frames (``uint8`` array of shape ``(height * 3 // 2, width)``: the
Y plane then the interleaved UV plane, BT.709 limited range) with an integer pts in
``time_base = 1 / fps`` and returns :class:`EncodedPacket` items. The bitstream is Annex B with
SPS/PPS repeated in band on every keyframe, so any output can start (or restart after a
reconnect) at any keyframe without out-of-band headers, and one encode feeds every container
(flv, mp4, mkv, mpegts). Colour metadata (BT.709 primaries, transfer and matrix, limited range)
is written into the stream's VUI.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["EncodedPacket", "Encoder", "EncoderConfig", "EncoderKind", "NV12Frame"]

EncoderKind = Literal["auto", "x264", "nvenc"]
NV12Frame = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class EncoderConfig:
    """What every encoder needs. ``keyframe_interval_s`` becomes a GOP of that many frames."""

    width: int
    height: int
    fps: Fraction
    bitrate_bps: int
    keyframe_interval_s: float = 2.0
    x264_preset: str = "veryfast"
    threads: int = 0  # 0: the encoder chooses
    gpu_device: int | None = None

    @property
    def time_base(self) -> Fraction:
        return 1 / self.fps

    @property
    def gop_frames(self) -> int:
        return max(1, round(self.keyframe_interval_s * self.fps))


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One H.264 access unit (Annex B); ``pts``/``dts`` in the encoder's ``time_base``."""

    data: bytes
    pts: int
    dts: int
    keyframe: bool


class Encoder(Protocol):
    """An open encoder. Used from one thread at a time."""

    name: str  # "libx264" or "nvenc": what status reports
    config: EncoderConfig
    last_convert_s: float  # seconds the last encode() spent wrapping/uploading the frame
    last_encode_s: float  # seconds the last encode() spent in the encoder proper

    def encode(self, frame: NV12Frame, pts: int) -> list[EncodedPacket]:
        """Encode one frame; returns the packets that became ready (possibly none)."""
        ...

    def flush(self) -> list[EncodedPacket]:
        """Drain every buffered frame. The encoder cannot be used afterwards."""
        ...

    def close(self) -> None: ...
