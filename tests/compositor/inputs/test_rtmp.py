"""An input pulled from a real nginx-rtmp on loopback, published by the ffmpeg CLI: it goes
live with the sender's picture and tone; the publisher killed, it is lost within ``hold_ms`` plus
a frame and shows the chosen fallback; the publisher back with another colour, it is live again
within 5 s with the reconnect counted. The render probe keeps pace throughout."""

from __future__ import annotations

import functools
import time

import pytest

from compositor.inputs import InputHub, InputSpec, LossPolicy
from tests.compositor.inputs.conftest import Events, needs_ffmpeg
from tests.compositor.inputs.probe import RenderProbe, mean_rgb, tone_hz
from tests.compositor.inputs.senders import Sender
from tests.polling import wait_for
from tests.rtmp_server import RtmpServer

pytestmark = [needs_ffmpeg, pytest.mark.slow]

BLUE_ISH = (0x30, 0x80, 0xC0)
ORANGE = (0xE0, 0x90, 0x20)
HOLD_MS = 300
FRAME_MS = 40  # 25 fps
SLACK_MS = 60  # the monitor's tick and a busy two-core machine


def close_to(rgb: tuple[float, float, float], want: tuple[int, int, int], tol: float = 10) -> bool:
    return all(abs(a - b) <= tol for a, b in zip(rgb, want, strict=True))


def test_rtmp_live_lost_fallbacks_and_back(rtmp: RtmpServer, hub: InputHub,
                                           events: Events) -> None:
    url = rtmp.url("cam")
    sender = Sender(url, "flv", color="3080C0")
    try:
        for then in ("freeze", "black", "transparent"):  # three players of one stream
            hub.put(InputSpec(id=then, url=url, loss=LossPolicy(hold_ms=HOLD_MS, then=then)))
        probe = RenderProbe(hub, "freeze")
        wait_for(lambda: all(s.state == "live" for s in hub.statuses()), 20, "live")
        wait_for(lambda: probe.frame is not None and close_to(mean_rgb(probe.frame), BLUE_ISH),
                 5, "the sender's colour in the picture")
        status = hub.status("freeze")
        assert status is not None
        assert (status.width, status.height, status.video_codec) == (320, 180, "h264")
        assert status.has_audio and status.fps == pytest.approx(25, abs=1)
        assert status.media_age_ms is not None and status.media_age_ms < 1000
        reader = hub.reader("freeze")
        assert reader is not None
        def recent_sound() -> list[object]:
            pcm = reader.sound(int((time.time() - 0.2) * 48000), 4800)
            return [pcm] if pcm is not None and float(abs(pcm).max()) > 0.05 else []

        sound = wait_for(recent_sound, 5, "sound")[0]
        assert tone_hz(sound) == pytest.approx(1000, abs=20)  # type: ignore[arg-type]

        sender.kill()
        for name in ("freeze", "black", "transparent"):
            lost = wait_for(functools.partial(events.first, name, "lost"), 5, f"{name} lost")
            assert lost.media_age_ms is not None
            assert HOLD_MS <= lost.media_age_ms <= HOLD_MS + FRAME_MS + SLACK_MS
        at = time.time()
        frozen = hub.reader("freeze").picture(at)  # type: ignore[union-attr]
        assert frozen is not None and close_to(mean_rgb(frozen), BLUE_ISH)
        black = hub.reader("black").picture(at)  # type: ignore[union-attr]
        assert black is not None and max(mean_rgb(black)) < 3
        assert (black.width, black.height) == (320, 180)
        assert hub.reader("transparent").picture(at) is None  # type: ignore[union-attr]
        assert reader.sound(int(at * 48000), 4800) is None  # silent while lost

        # nginx keeps a player waiting for the next publisher; our read times out: reconnect
        wait_for(lambda: hub.status("freeze").reconnects >= 1, 10,  # type: ignore[union-attr]
                 "a reconnect")
        sender = Sender(url, "flv", color="E09020")
        back = time.monotonic()
        wait_for(lambda: hub.status("freeze").state == "live", 5,  # type: ignore[union-attr]
                 "live again within 5 s")
        wait_for(lambda: probe.frame is not None and close_to(mean_rgb(probe.frame), ORANGE),
                 5 - (time.monotonic() - back) + 1, "the new colour")
        probe.stop()
        assert probe.slowest_s < 0.1, f"a render-side call took {probe.slowest_s:.3f} s"
        assert probe.missed <= max(3, probe.ticks // 4), (probe.missed, probe.ticks)
        assert events.states("freeze")[:3] == ["live", "lost", "live"]
    finally:
        sender.kill()
