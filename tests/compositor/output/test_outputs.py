"""Outputs without the renderer: files from real libx264 packets, RTMP failure states, preview."""

from __future__ import annotations

import socket
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.encode import EncoderConfig, X264Encoder
from compositor.errors import OutputError
from compositor.metrics import PipelineMetrics
from compositor.output import Backoff, Preview, VideoParams, nv12_to_rgb, open_output, redact_url
from tests.compositor.media import decode_file, flat_nv12

W, H, FPS = 160, 90, Fraction(25)
VIDEO = VideoParams(W, H, FPS)
COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]


def _packets(frames: int):
    encoder = X264Encoder(EncoderConfig(W, H, FPS, 400_000, keyframe_interval_s=1.0))
    packets = []
    for i in range(frames):
        packets += encoder.encode(flat_nv12(W, H, COLOURS[i * len(COLOURS) // frames]), i)
    return packets + encoder.flush()


@pytest.mark.parametrize("suffix", [".mp4", ".mkv", ".ts"])
def test_file_output_muxes_the_one_encode_with_silent_audio(tmp_path: Path, suffix: str) -> None:
    path = str(tmp_path / f"out{suffix}")
    output = open_output(path, VIDEO, PipelineMetrics(CollectorRegistry()), lossless=True)
    output.start()
    for packet in _packets(60):
        output.offer(packet)
    output.stop()
    assert output.state == "idle" and output.last_error is None
    assert output.bytes_sent > 0 and output.dropped_packets == 0
    got = decode_file(path)
    assert len(got.frames) == 60
    assert got.average_rate == FPS
    assert got.audio_codec == "aac" and got.audio_rate == 48_000
    assert got.keyframes == [0, 25, 50]
    for index, colour in ((5, COLOURS[0]), (30, COLOURS[1]), (55, COLOURS[2])):
        assert np.abs(got.frames[index][H // 2, W // 2].astype(int) - colour).max() <= 6
    if suffix == ".mp4":
        data = Path(path).read_bytes()
        assert 0 < data.find(b"moov") < data.find(b"mdat")  # faststart


def test_unsupported_file_type_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="unsupported file type"):
        open_output(str(tmp_path / "x.avi"), VIDEO, PipelineMetrics(CollectorRegistry()))


def test_unwritable_file_ends_in_error_state(tmp_path: Path) -> None:
    output = open_output(str(tmp_path / "missing-dir" / "x.mp4"), VIDEO,
                         PipelineMetrics(CollectorRegistry()))
    output.start()
    deadline = time.monotonic() + 10
    while output.state != "error" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert output.state == "error" and output.last_error
    output.stop()
    assert output.state == "error"


def test_rtmp_without_server_keeps_reconnecting_with_backoff() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    registry = CollectorRegistry()
    output = open_output(f"rtmp://127.0.0.1:{port}/live/secret-key", VIDEO,
                         PipelineMetrics(registry), backoff=Backoff(0.05, 0.2))
    assert output.name == f"rtmp://127.0.0.1:{port}/live/****"
    output.start()
    deadline = time.monotonic() + 10
    while output.reconnects < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert output.reconnects >= 3
    assert output.state == "reconnecting"
    assert "secret-key" not in str(output.status())
    for packet in _packets(10):
        output.offer(packet)  # never blocks while the server is away
    output.stop()
    assert output.status()["state"] == "idle"
    value = registry.get_sample_value("compositor_output_reconnects_total",
                                      {"output": output.name})
    assert value is not None and value >= 3


def test_redact_url() -> None:
    assert redact_url("rtmp://a.example:1935/live/abc123") == "rtmp://a.example:1935/live/****"
    assert redact_url("rtmps://u:pw@host/app/key?token=x") == "rtmps://host/app/****?****"
    assert redact_url("rtmp://host/app") == "rtmp://host/app"


def test_backoff_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(0.5, 10.0)
    assert [backoff.next_delay() for _ in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    backoff.reset()
    assert backoff.next_delay() == 0.5


@pytest.mark.parametrize("rgb", [(255, 0, 0), (0, 128, 255), (250, 250, 250), (20, 20, 20)])
def test_nv12_to_rgb_inverts_bt709_limited_range(rgb: tuple[int, int, int]) -> None:
    out = nv12_to_rgb(flat_nv12(64, 36, rgb), step=2)
    assert out.shape == (18, 32, 3)
    assert np.abs(out.astype(int) - rgb).max() <= 3


def test_preview_is_lazy_bounded_and_sized() -> None:
    now = [0.0]
    preview = Preview(width=80, max_fps=5.0, time_source=lambda: now[0])
    assert preview.jpeg() is None
    preview.offer(flat_nv12(W, H, (255, 0, 0)))
    first = preview.jpeg()
    assert first is not None and first[:2] == b"\xff\xd8"
    preview.offer(flat_nv12(W, H, (0, 0, 255)))
    assert preview.jpeg() == first  # within 1/max_fps: the cached picture
    now[0] = 0.3
    second = preview.jpeg()
    assert second != first
    from io import BytesIO

    from PIL import Image

    image = Image.open(BytesIO(second or b""))
    assert image.size == (80, 45)
    pixel = image.getpixel((40, 22))
    assert isinstance(pixel, tuple) and pixel[2] > 200  # blue
    assert Image.open(BytesIO(preview.jpeg(40) or b"")).size == (40, 22)
