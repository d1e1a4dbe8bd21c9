"""The same input over the other transports: UDP MPEG-TS (killed and back), RTP (MPEG-TS
payload), RTMPS (nginx's TLS port in front of nginx-rtmp), SRT (the ffmpeg CLI sender listens,
our reader calls), HLS served from a local folder over HTTP, and RTSP from gst-rtsp-server."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compositor.inputs import InputHub, InputSpec, LossPolicy
from tests.compositor.inputs.conftest import Events, needs_ffmpeg
from tests.compositor.inputs.probe import RenderProbe, mean_rgb, tone_hz
from tests.compositor.inputs.rtsp_server import RtspServer, rtsp_available
from tests.compositor.inputs.senders import Sender, free_port, hls_sender
from tests.compositor.inputs.test_rtmp import BLUE_ISH, ORANGE, close_to
from tests.media_factory import counter_clip
from tests.polling import wait_for
from tests.rtmp_server import RtmpServer, stream_available

pytestmark = [needs_ffmpeg, pytest.mark.slow]


def _colour(probe: RenderProbe, want: tuple[int, int, int]) -> bool:
    return probe.frame is not None and close_to(mean_rgb(probe.frame), want)


def _live_tone_hz(hub: InputHub, input_id: str, wait_s: float) -> float:
    """The frequency of the input's recent sound: 0.1 s that sounds from start to end (above
    -26 dBFS in its first and last 10 ms, so no edge of the tone falls inside)."""
    reader = hub.reader(input_id)
    assert reader is not None

    def recent() -> list[object]:
        pcm = reader.sound(int((time.time() - 0.3) * 48000), 4800)
        loud = pcm is not None and all(float(abs(end).max()) > 0.05
                                       for end in (pcm[:480], pcm[-480:]))
        return [pcm] if loud else []

    return tone_hz(wait_for(recent, wait_s, "sound")[0])  # type: ignore[arg-type]


def test_udp_mpegts_live_lost_and_back(hub: InputHub, events: Events) -> None:
    port = free_port(2)  # SOCK_DGRAM
    target = f"udp://127.0.0.1:{port}?pkt_size=1316"
    hub.put(InputSpec(id="udp", url=f"udp://127.0.0.1:{port}",
                      loss=LossPolicy(hold_ms=300, then="black")))
    probe = RenderProbe(hub, "udp")
    try:
        with Sender(target, "mpegts", color="3080C0"):
            wait_for(lambda: _colour(probe, BLUE_ISH), 20, "the picture over UDP")
            assert _live_tone_hz(hub, "udp", 5) == pytest.approx(1000, abs=20)
        lost = wait_for(lambda: events.first("udp", "lost"), 5, "lost")
        assert lost.media_age_ms is not None and lost.media_age_ms <= 300 + 40 + 60
        wait_for(lambda: probe.frame is not None and max(mean_rgb(probe.frame)) < 3, 2, "black")
        with Sender(target, "mpegts", color="E09020"):
            back = time.monotonic()
            wait_for(lambda: _colour(probe, ORANGE), 5, "the new colour within 5 s")
            assert time.monotonic() - back < 5
        status = hub.status("udp")
        assert status is not None and status.state == "live" and status.has_audio
    finally:
        probe.stop()
    assert probe.slowest_s < 0.1 and probe.missed <= max(3, probe.ticks // 4)


def test_rtp_mpegts(hub: InputHub) -> None:
    port = free_port(2)
    with Sender(f"rtp://127.0.0.1:{port}", "rtp_mpegts", color="E09020"):
        hub.put(InputSpec(id="rtp", url=f"rtp://127.0.0.1:{port}"))
        probe = RenderProbe(hub, "rtp")
        try:
            wait_for(lambda: _colour(probe, ORANGE), 20, "the picture over RTP")
        finally:
            probe.stop()
        status = hub.status("rtp")
        assert status is not None and status.state == "live" and status.has_audio


@pytest.mark.skipif(not stream_available(), reason="needs nginx's stream module (TLS)")
def test_rtmps_through_tls(hub: InputHub) -> None:
    with RtmpServer(tls=True) as rtmp, Sender(rtmp.url("tls-key"), "flv", color="3080C0"):
        hub.put(InputSpec(id="tls", url=rtmp.rtmps_url("tls-key")))
        probe = RenderProbe(hub, "tls")
        try:
            wait_for(lambda: _colour(probe, BLUE_ISH), 20, "the picture over RTMPS")
        finally:
            probe.stop()
        status = hub.status("tls")
        assert status is not None and status.url.startswith("rtmps://")
        assert status.url.endswith("/live/****")


def test_srt_caller_against_a_listening_sender(hub: InputHub) -> None:
    port = free_port(2)
    with Sender(f"srt://127.0.0.1:{port}?mode=listener&passphrase=secretsecret1", "mpegts",
                    color="E09020"):
        hub.put(InputSpec(id="srt", url=f"srt://127.0.0.1:{port}?passphrase=secretsecret1",
                          loss=LossPolicy(hold_ms=300)))
        probe = RenderProbe(hub, "srt")
        try:
            wait_for(lambda: _colour(probe, ORANGE), 20, "the picture over SRT")
        finally:
            probe.stop()
        status = hub.status("srt")
        assert status is not None and status.state == "live" and status.has_audio
        assert "secret" not in status.url and status.url == f"srt://127.0.0.1:{port}?****"


def test_srt_refused_is_reported(hub: InputHub, events: Events) -> None:
    port = free_port(2)
    hub.put(InputSpec(id="srt", url=f"srt://127.0.0.1:{port}"))
    failed = wait_for(lambda: events.first("srt", "error"), 15, "error")
    assert failed.last_error


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    handler = functools.partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_hls_from_a_local_folder(hub: InputHub, http_folder: tuple[Path, int]) -> None:
    folder, port = http_folder
    with hls_sender(folder / "live", color="3080C0"):
        wait_for(lambda: (folder / "live" / "live.m3u8").exists(), 15, "the playlist")
        hub.put(InputSpec(id="hls", url=f"http://127.0.0.1:{port}/live/live.m3u8",
                          latency_ms=200, loss=LossPolicy(hold_ms=2500)))
        probe = RenderProbe(hub, "hls")
        try:
            wait_for(lambda: _colour(probe, BLUE_ISH), 30, "the picture over HLS")
        finally:
            probe.stop()
        status = hub.status("hls")
        assert status is not None and status.state == "live"
        assert (status.width, status.height) == (320, 180) and status.has_audio


def test_hls_segments_are_never_local_files(hub: InputHub, events: Events,
                                            http_folder: tuple[Path, int]) -> None:
    folder, port = http_folder
    segment = counter_clip(folder / "local.ts", fps=25, seconds=2.0, size=(64, 36))
    (folder / "evil.m3u8").write_text(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n"
        f"file://{segment}\n#EXT-X-ENDLIST\n")
    hub.put(InputSpec(id="evil", url=f"http://127.0.0.1:{port}/evil.m3u8"))
    failed = wait_for(lambda: events.first("evil", "error"), 15, "error")
    assert failed.last_error
    assert hub.status("evil").frames == 0  # type: ignore[union-attr]


@pytest.mark.skipif(not rtsp_available(), reason="needs gst-rtsp-server (scripts/bootstrap)")
def test_rtsp_camera_live_lost_and_back(hub: InputHub, events: Events) -> None:
    """An IP camera's RTSP (H.264 and Opus over RTP, interleaved in TCP): its picture and tone,
    its credentials redacted; the server dies (black after hold_ms) and comes back."""
    port = free_port()
    spec = InputSpec(id="cam", url=f"rtsp://viewer:secret-pass@127.0.0.1:{port}/live",
                     loss=LossPolicy(hold_ms=500, then="black"))
    probe = RenderProbe(hub, "cam")
    try:
        with RtspServer(port, "E09020"):
            hub.put(spec)
            wait_for(lambda: _colour(probe, ORANGE), 30, "the picture over RTSP")
            assert _live_tone_hz(hub, "cam", 10) == pytest.approx(1000, abs=20)
            status = hub.status("cam")
            assert status is not None and status.state == "live" and status.has_audio
            assert (status.width, status.height, status.video_codec) == (320, 180, "h264")
            assert "secret" not in status.url and "viewer" not in status.url
        wait_for(lambda: events.first("cam", "lost"), 5, "lost")
        wait_for(lambda: probe.frame is not None and max(mean_rgb(probe.frame)) < 3, 3, "black")
        with RtspServer(port, "3080C0"):
            wait_for(lambda: _colour(probe, BLUE_ISH), 30, "the picture back over RTSP")
        status = hub.status("cam")
        assert status is not None and status.reconnects >= 1
    finally:
        probe.stop()
