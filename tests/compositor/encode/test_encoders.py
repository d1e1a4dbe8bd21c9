"""Encoders: libx264 settings as ingest expects, BT.709 VUI, and the NVENC/auto selection."""

from __future__ import annotations

import importlib.util
import io
import logging
from fractions import Fraction

import av
import pytest

from compositor.encode import EncodedPacket, EncoderConfig, X264Encoder, open_encoder
from compositor.encode.nvenc import annexb_has_idr
from compositor.errors import EncoderUnavailableError
from tests.compositor.media import flat_nv12

NVENC_INSTALLED = importlib.util.find_spec("PyNvVideoCodec") is not None
CONFIG = EncoderConfig(width=160, height=90, fps=Fraction(30000, 1001), bitrate_bps=500_000,
                       keyframe_interval_s=1.0)


def _encode(frames: int) -> list[EncodedPacket]:
    encoder = X264Encoder(CONFIG)
    packets = []
    for i in range(frames):
        packets += encoder.encode(flat_nv12(160, 90, (i * 8 % 256, 100, 50)), i)
    packets += encoder.flush()
    encoder.close()
    return packets


def test_x264_gop_is_the_keyframe_interval_and_pts_are_exact() -> None:
    packets = _encode(75)
    assert [p.pts for p in packets] == list(range(75))
    assert [p.dts for p in packets] == list(range(75))  # zerolatency: no B-frames, no reorder
    # 1 s at 30000/1001 is 30 frames; scene changes must not add keyframes (sc_threshold=0)
    assert [i for i, p in enumerate(packets) if p.keyframe] == [0, 30, 60]
    assert all(annexb_has_idr(p.data) == p.keyframe for p in packets)
    # SPS (NAL type 7) in band on every keyframe, so an output can start at any of them
    assert all(b"\x00\x00\x01\x67" in p.data for p in packets if p.keyframe)


def test_x264_stream_carries_bt709_limited_range() -> None:
    packets = _encode(5)
    raw = b"".join(p.data for p in packets)
    with av.open(io.BytesIO(raw), mode="r", format="h264") as container:
        frame = next(container.decode(video=0))
        ctx = container.streams.video[0].codec_context
        assert ctx.profile == "High"
    assert (frame.color_primaries, frame.color_trc, frame.colorspace) == (1, 1, 1)
    assert frame.color_range == 1  # MPEG (limited)


@pytest.mark.skipif(NVENC_INSTALLED, reason="this machine has PyNvVideoCodec")
def test_auto_picks_libx264_without_nvenc_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="compositor.encode"):
        encoder = open_encoder("auto", CONFIG)
    assert encoder.name == "libx264"
    assert "using libx264" in caplog.text and "NVENC" in caplog.text


@pytest.mark.skipif(NVENC_INSTALLED, reason="this machine has PyNvVideoCodec")
def test_explicit_nvenc_without_nvenc_is_a_clear_error() -> None:
    with pytest.raises(EncoderUnavailableError, match="NVENC is not available"):
        open_encoder("nvenc", CONFIG)


def test_unknown_encoder_is_rejected() -> None:
    with pytest.raises(EncoderUnavailableError, match="unknown encoder"):
        open_encoder("vp9", CONFIG)


def test_annexb_idr_detection() -> None:
    assert annexb_has_idr(b"\x00\x00\x00\x01\x67abc\x00\x00\x01\x65xyz")
    assert not annexb_has_idr(b"\x00\x00\x00\x01\x41abc")
    assert not annexb_has_idr(b"")
