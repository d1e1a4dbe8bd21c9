"""Inputs that misbehave: each is reported in the status, and the render side never waits.

A refused connection, garbage bytes over TCP (RTMP) and UDP, a sender switching from 1280x720
to 640x360 mid-stream, timestamps jumping backwards (a second sender restarting the timeline),
and a link that delivers nothing for a minute. A :class:`RenderProbe` asks for pictures and sound
at 25 fps throughout and must keep pace with every call prompt."""

from __future__ import annotations

import threading
import time

import pytest

from compositor.inputs import InputHub, InputSpec, LossPolicy
from tests.compositor.inputs.conftest import Events, needs_ffmpeg
from tests.compositor.inputs.probe import RenderProbe, mean_rgb
from tests.compositor.inputs.senders import (
    GarbageServer,
    Sender,
    UdpRelay,
    free_port,
    send_garbage_udp,
)
from tests.compositor.inputs.test_rtmp import BLUE_ISH, ORANGE, close_to
from tests.polling import wait_for

pytestmark = [needs_ffmpeg, pytest.mark.slow]


def _kept_pace(probe: RenderProbe) -> None:
    probe.stop()
    assert probe.ticks > 0
    assert probe.slowest_s < 0.1, f"a render-side call took {probe.slowest_s:.3f} s"
    assert probe.missed <= max(3, probe.ticks // 4), (probe.missed, probe.ticks)


def test_refused_connection_is_an_error_retried(hub: InputHub, events: Events) -> None:
    port = free_port()  # nothing listens there
    hub.put(InputSpec(id="gone", url=f"rtmp://127.0.0.1:{port}/live/secret-key",
                      loss=LossPolicy(then="black")))
    probe = RenderProbe(hub, "gone")
    failed = wait_for(lambda: events.first("gone", "error"), 10, "error")
    assert failed.last_error is not None and "refused" in failed.last_error.lower()
    assert "secret-key" not in failed.last_error and "secret-key" not in failed.url
    wait_for(lambda: hub.status("gone").reconnects >= 3, 10,  # type: ignore[union-attr]
             "retries with backoff")
    assert probe.frame is not None and max(mean_rgb(probe.frame)) < 3  # black, as chosen
    assert hub.problems() == {"input gone": f"error: {hub.status('gone').last_error}"}  # type: ignore[union-attr]
    _kept_pace(probe)


def test_garbage_over_tcp_is_an_error(hub: InputHub, events: Events) -> None:
    server = GarbageServer()
    try:
        hub.put(InputSpec(id="junk", url=f"rtmp://127.0.0.1:{server.port}/live/x"))
        probe = RenderProbe(hub, "junk")
        failed = wait_for(lambda: events.first("junk", "error"), 15, "error")
        assert failed.last_error
        wait_for(lambda: server.connections >= 2, 10, "a reconnect")
        assert hub.status("junk").frames == 0  # type: ignore[union-attr]
        _kept_pace(probe)
    finally:
        server.close()


def test_garbage_over_udp_is_an_error(hub: InputHub, events: Events) -> None:
    port = free_port(2)
    stop = threading.Event()
    spewer = threading.Thread(target=send_garbage_udp, args=(port, 15.0, stop), daemon=True)
    spewer.start()
    try:
        hub.put(InputSpec(id="junk", url=f"udp://127.0.0.1:{port}"))
        probe = RenderProbe(hub, "junk")
        failed = wait_for(lambda: events.first("junk", "error"), 15, "error")
        assert failed.last_error
        assert hub.status("junk").frames == 0  # type: ignore[union-attr]
        _kept_pace(probe)
    finally:
        stop.set()
        spewer.join(5)


def test_resolution_switch_mid_stream(hub: InputHub) -> None:
    port = free_port(2)
    target = f"udp://127.0.0.1:{port}?pkt_size=1316"
    hub.put(InputSpec(id="cam", url=f"udp://127.0.0.1:{port}"))
    probe = RenderProbe(hub, "cam")
    started = time.monotonic()
    with Sender(target, "mpegts", size=(1280, 720), color="3080C0"):
        wait_for(lambda: probe.frame is not None and probe.frame.width == 1280, 20, "720p")
        seen = hub.status("cam")
        assert seen is not None and (seen.width, seen.height) == (1280, 720)
    # the next sender continues the timeline at 640x360 (same PIDs: one stream to the reader)
    with Sender(target, "mpegts", size=(640, 360), color="E09020",
                ts_offset_s=time.monotonic() - started):
        wait_for(lambda: probe.frame is not None and probe.frame.width == 640, 10, "360p")
        assert probe.frame is not None and probe.frame.height == 360
        wait_for(lambda: close_to(mean_rgb(probe.frame), ORANGE), 5,  # type: ignore[arg-type]
                 "the new picture")
        status = hub.status("cam")
        assert status is not None and (status.width, status.height) == (640, 360)
        assert status.state == "live"
    _kept_pace(probe)


def test_timestamps_jumping_backwards(hub: InputHub) -> None:
    port = free_port(2)
    target = f"udp://127.0.0.1:{port}?pkt_size=1316"
    hub.put(InputSpec(id="cam", url=f"udp://127.0.0.1:{port}", loss=LossPolicy(hold_ms=1000)))
    probe = RenderProbe(hub, "cam")
    with Sender(target, "mpegts", color="3080C0", ts_offset_s=30.0):
        wait_for(lambda: probe.frame is not None and close_to(mean_rgb(probe.frame), BLUE_ISH),
                 20, "the first sender")
        before = hub.status("cam")
        assert before is not None
    with Sender(target, "mpegts", color="E09020"):  # its clock starts 30 s earlier
        wait_for(lambda: probe.frame is not None and close_to(mean_rgb(probe.frame), ORANGE),
                 10, "pictures after the jump")
        after = hub.status("cam")
        assert after is not None and after.discontinuities > before.discontinuities
        frames = after.frames
        wait_for(lambda: hub.status("cam").frames > frames + 10, 5,  # type: ignore[union-attr]
                 "frames flowing on")
    _kept_pace(probe)


STALL_S = 60.0


def test_a_one_minute_stall(hub: InputHub, events: Events) -> None:
    reader_port = free_port(2)
    relay = UdpRelay(reader_port)
    try:
        hub.put(InputSpec(id="cam", url=f"udp://127.0.0.1:{reader_port}",
                          loss=LossPolicy(hold_ms=500, then="freeze")))
        probe = RenderProbe(hub, "cam")
        with Sender(f"udp://127.0.0.1:{relay.port}?pkt_size=1316", "mpegts", color="3080C0"):
            wait_for(lambda: hub.status("cam").frames >= 50, 30, "live for 2 s")  # type: ignore[union-attr]
            relay.stall()
            lost = wait_for(lambda: events.first("cam", "lost"), 5, "lost")
            assert lost.media_age_ms is not None and lost.media_age_ms <= 500 + 40 + 60
            # What was already in the socket's buffers may still be decoded on a busy machine
            # (live again, briefly): the minute starts once nothing has come for 2 s.
            wait_for(lambda: (hub.status("cam").media_age_ms or 0) > 2000, 10, "drained")  # type: ignore[union-attr]
            deadline = time.monotonic() + STALL_S
            while time.monotonic() < deadline:  # frozen picture and lost, all minute long
                status = hub.status("cam")
                assert status is not None and status.state == "lost"
                assert probe.frame is not None and close_to(mean_rgb(probe.frame), BLUE_ISH)
                time.sleep(1.0)
            assert hub.status("cam").reconnects >= 5  # type: ignore[union-attr]
            relay.resume()
            wait_for(lambda: hub.status("cam").state == "live", 5, "live after the stall")  # type: ignore[union-attr]
        _kept_pace(probe)
    finally:
        relay.close()
