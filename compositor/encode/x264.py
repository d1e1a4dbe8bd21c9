"""libx264 through PyAV: the software H.264 encoder, available everywhere.

Settings are what RTMP ingest services expect: ``tune=zerolatency`` (no B-frames, no lookahead:
one packet out per frame in), CBR-style rate control (``bit_rate`` = ``maxrate``, a one second
``bufsize``, ``nal-hrd=cbr``), a fixed GOP of ``keyframe_interval_s`` (``g`` = ``keyint_min``,
``sc_threshold=0`` so scene cuts never add keyframes), profile high, BT.709 limited-range VUI.
SPS/PPS are repeated on every keyframe (no global header), see :mod:`compositor.encode.base`.
"""

from __future__ import annotations

import time
from fractions import Fraction

import av
import av.error

from compositor.encode.base import EncodedPacket, EncoderConfig, NV12Frame
from compositor.errors import EncoderError

__all__ = ["BT709", "LIMITED_RANGE", "X264Encoder"]

BT709 = 1  # AVCOL_PRI_BT709 == AVCOL_TRC_BT709 == AVCOL_SPC_BT709
LIMITED_RANGE = 1  # AVCOL_RANGE_MPEG


class X264Encoder:
    """An open libx264 encoder; raises :class:`EncoderError` when it cannot open."""

    name = "libx264"

    def __init__(self, config: EncoderConfig) -> None:
        self.config = config
        self.last_convert_s = 0.0
        self.last_encode_s = 0.0
        self._time_base = Fraction(config.time_base)
        try:
            self._ctx = _open_context(config)
        except (av.error.FFmpegError, ValueError) as exc:
            raise EncoderError(f"libx264 could not open: {exc}") from exc

    def encode(self, frame: NV12Frame, pts: int) -> list[EncodedPacket]:
        started = time.perf_counter()
        video = av.VideoFrame.from_ndarray(frame, format="nv12")
        video.pts = pts
        video.time_base = self._time_base
        encoding = time.perf_counter()
        packets = self._encode(video)
        self.last_convert_s = encoding - started
        self.last_encode_s = time.perf_counter() - encoding
        return packets

    def flush(self) -> list[EncodedPacket]:
        return self._encode(None)

    def close(self) -> None:
        # PyAV frees the context with the object; nothing is held open outside it.
        pass

    def _encode(self, frame: av.VideoFrame | None) -> list[EncodedPacket]:
        try:
            packets = self._ctx.encode(frame)
        except av.error.FFmpegError as exc:
            raise EncoderError(f"libx264 failed to encode: {exc}") from exc
        return [
            EncodedPacket(
                data=bytes(p),
                pts=int(p.pts if p.pts is not None else 0),
                dts=int(p.dts if p.dts is not None else p.pts or 0),
                keyframe=bool(p.is_keyframe),
            )
            for p in packets
        ]


def _open_context(config: EncoderConfig) -> av.VideoCodecContext:
    ctx = av.CodecContext.create("libx264", "w")
    assert isinstance(ctx, av.VideoCodecContext)
    ctx.width = config.width
    ctx.height = config.height
    ctx.pix_fmt = "nv12"
    ctx.time_base = config.time_base
    ctx.framerate = config.fps
    ctx.bit_rate = config.bitrate_bps
    ctx.thread_count = config.threads
    ctx.color_primaries = BT709
    ctx.color_trc = BT709
    ctx.colorspace = BT709
    ctx.color_range = LIMITED_RANGE
    gop = str(config.gop_frames)
    ctx.options = {
        "preset": config.x264_preset,
        "tune": "zerolatency",
        "profile": "high",
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": "0",
        "maxrate": str(config.bitrate_bps),
        "bufsize": str(config.bitrate_bps),
        "nal-hrd": "cbr",
    }
    ctx.open()
    return ctx
