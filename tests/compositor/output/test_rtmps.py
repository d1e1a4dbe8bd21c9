"""RTMPS output end to end: the pipeline publishes over TLS, players read plain RTMP back.

nginx's stream module terminates TLS in front of nginx-rtmp (``RtmpServer(tls=True)``), with a
certificate from a throwaway CA that no system trusts. What this shows about verification:

- the *publisher* (PyAV's bundled FFmpeg, GnuTLS) does not verify the server certificate: FFmpeg's
  ``tls_verify`` defaults to 0, and PyAV opens output URLs with ``avio_open`` without options, so
  it cannot be turned on for an output; RTMPS output is encrypted but not authenticated;
- FFmpeg *can* verify (``tls_verify=1``, ``ca_file``): a player given those options accepts the
  right CA and refuses the connection when it does not know the CA.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import av
import av.error
import av.logging
import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.metrics import PipelineMetrics
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import Color, ColorContent, Layer, Scene, Transform
from tests.polling import wait_for
from tests.rtmp_server import STREAM_MODULE, RtmpServer, stream_available

W, H, FPS = 160, 96, Fraction(25)
BLUE, RED = (0, 0, 255), (255, 0, 0)
KEY = "tls-secret-key"


def box_scene() -> Scene:
    box = Layer(id="box", kind="color", content=ColorContent(Color(*RED)),
                transform=Transform(x_px=0, y_px=0, width_px=W // 2, height_px=H))
    return Scene(version=1, width=W, height=H, fps=FPS, background=Color(*BLUE), layers=(box,))



def read_frames(url: str, count: int, options: dict[str, str] | None = None) -> list[np.ndarray]:
    """``count`` decoded RGB frames of the live stream at ``url`` (it must be published)."""
    with av.open(url, mode="r", options={"rtmp_live": "live", **(options or {})},
                 timeout=(5.0, 5.0)) as container:
        frames = []
        for frame in container.decode(video=0):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) == count:
                return frames
    raise AssertionError(f"the stream ended after {len(frames)} frames")


def refusal(url: str, options: dict[str, str]) -> str:
    """What FFmpeg's TLS layer said when opening ``url`` with ``options`` failed (as it must)."""
    previous = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)  # FFmpeg's messages reach Python only with a level
    try:
        with av.logging.Capture() as logs, pytest.raises(av.error.FFmpegError):
            read_frames(url, 2, options)
    finally:
        av.logging.set_level(previous)
    return " ".join(message.strip() for _, name, message in logs if name == "tls")


def close_to(pixel: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> bool:
    return int(np.abs(pixel.astype(int) - rgb).max()) <= tolerance


@pytest.fixture
def rtmps() -> Iterator[RtmpServer]:
    if not stream_available():
        pytest.skip(f"nginx's stream module ({STREAM_MODULE}) is missing: "
                    "apt-get install libnginx-mod-stream (scripts/bootstrap does)")
    with RtmpServer(tls=True) as server:
        yield server


@pytest.fixture
def publishing(rtmps: RtmpServer) -> Iterator[Pipeline]:
    """A pipeline publishing the box scene to ``rtmps_url(KEY)``, already live."""
    config = PipelineConfig(width=W, height=H, fps=FPS, encoder="x264", bitrate_bps=300_000,
                            keyframe_interval_s=0.4, outputs=(rtmps.rtmps_url(KEY),))
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()))
    pipeline.publish(box_scene())
    pipeline.start()
    try:
        [output] = pipeline.outputs
        wait_for(lambda: output.state == "live" and output.bytes_sent > 0, 10,
                 f"the RTMPS output to go live ({output.last_error}; nginx: {rtmps.log()[-400:]})")
        yield pipeline
    finally:
        pipeline.stop()


def test_rtmps_publish_reads_back_over_plain_rtmp(rtmps: RtmpServer,
                                                  publishing: Pipeline) -> None:
    assert rtmps.tls_port is not None
    # The certificate's CA is in no trust store: going live proves the publisher does not verify.
    frames = read_frames(rtmps.url(KEY), 10)
    status = publishing.status()
    assert status["state"] == "live"
    assert status["url"] == f"rtmps://127.0.0.1:{rtmps.tls_port}/live/****"
    assert status["outputs"][0]["state"] == "live" and status["outputs"][0]["bytes_sent"] > 0
    assert KEY not in str(status)
    for rgb in frames:
        assert rgb.shape == (H, W, 3)
        assert close_to(rgb[H // 2, W // 4], RED) and close_to(rgb[H // 2, 3 * W // 4], BLUE)


def test_ffmpeg_verifies_rtmps_only_when_asked(rtmps: RtmpServer, publishing: Pipeline) -> None:
    assert rtmps.tls is not None
    url = rtmps.rtmps_url(KEY)
    trusted = {"tls_verify": "1", "ca_file": str(rtmps.tls.ca_cert)}
    verified = read_frames(url, 2, trusted)
    assert close_to(verified[-1][H // 2, W // 4], RED)
    # The system CAs do not know the throwaway CA; the right CA for the wrong host fails too.
    assert "Peer certificate failed verification" in refusal(url, {"tls_verify": "1"})
    assert "does not match hostname example.com" in refusal(
        url, {**trusted, "verifyhost": "example.com"})
