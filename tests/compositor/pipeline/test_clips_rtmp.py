"""A/V sync on air: a live pipeline publishing to nginx-rtmp, read back with PyAV as a player
would, the clip's flash and its beep measured on the stream's own timestamps."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import av
import av.error
import numpy as np
from prometheus_client import CollectorRegistry

from compositor.metrics import PipelineMetrics
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.pipeline.clock import frame_at
from compositor.scene import Color, Layer, Scene, Transform, VideoContent
from tests.compositor.pipeline.tone_media import ToneMedia
from tests.polling import wait_for
from tests.rtmp_server import RtmpServer, open_live

W, H, FPS = 160, 90, Fraction(30)


class Player:
    """Reads an RTMP URL on a thread: (time, is white) of every picture, (time, samples) of
    every audio frame, in stream time."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pictures: list[tuple[float, bool]] = []
        self.sound: list[tuple[float, np.ndarray]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        container = open_live(self.url, self._stop, time.monotonic() + 20)
        if container is None:
            return
        with container:
            try:
                for packet in container.demux():
                    for frame in packet.decode():
                        self._keep(frame)
                    if self._stop.is_set():
                        return
            except av.error.FFmpegError:
                return

    def _keep(self, frame: object) -> None:
        if isinstance(frame, av.VideoFrame):
            rgb = frame.to_ndarray(format="rgb24")
            self.pictures.append((float(frame.time or 0.0), bool(rgb[H // 2, W // 2].min() > 200)))
        elif isinstance(frame, av.AudioFrame):
            samples = np.asarray(frame.to_ndarray(), np.float32)
            self.sound.append((float(frame.time or 0.0), samples[0]))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(20)


def test_on_air_the_beep_is_within_a_frame_of_its_flash(rtmp: RtmpServer) -> None:
    url = rtmp.url("sync-key")
    media = ToneMedia(flash=0, amplitude=0.5, hold_flash=True)
    config = PipelineConfig(width=W, height=H, fps=FPS, encoder="x264", bitrate_bps=400_000,
                            keyframe_interval_s=1.0, outputs=(url,))
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()),
                        media)
    start = frame_at(time.time(), FPS) + 75  # 2.5 s on: the player is connected by then
    clip = Layer("clip", "video", VideoContent(asset="c", start_frame=start),
                 transform=Transform(width_px=W, height_px=H))
    pipeline.publish(Scene(version=1, width=W, height=H, fps=FPS, background=Color(0, 0, 255),
                           layers=(clip,)))
    pipeline.start()
    player = Player(url)
    def flash_heard() -> bool:
        whites = [t for t, white in list(player.pictures) if white]
        sound = list(player.sound)
        return bool(whites and sound and sound[-1][0] > whites[0] + 0.5)

    try:
        wait_for(flash_heard, 30, "the flash and half a second of sound after it")
    finally:
        player.close()
        pipeline.stop()
    assert not player.pictures[0][1], "the player must see the picture before the flash"
    flash = next(t for t, white in player.pictures if white)
    beep = next(t + int(np.flatnonzero(np.abs(s) > 0.25)[0]) / 48_000
                for t, s in player.sound if np.abs(s).max() > 0.25)
    assert abs(beep - flash) <= 1 / 30, (beep, flash)
