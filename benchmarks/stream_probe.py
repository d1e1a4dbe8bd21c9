"""A timed test stream and a listener for ``benchmarks/inputs.py``.

:class:`TimedSender` publishes to an RTMP URL from this process with PyAV (libx264 ultrafast,
zerolatency, AAC): every picture is one solid colour that encodes its index
(``tests.media_factory.color_of_index``, indexes 0..999 then again), the sound is silence with a
50 ms 1 kHz burst every :data:`BURST_EVERY_S` seconds; it records the wall time at which each
picture was handed to the muxer, and the wall time each burst's media time maps to (the sender
paces media time on the wall clock). :class:`Listener` plays an RTMP URL and records, for
each picture it decodes, the wall time and the index the colour at one point encodes, and the
wall time of every burst onset it hears. Latency = heard/seen - sent.
"""

from __future__ import annotations

import threading
import time
from fractions import Fraction
from typing import Any

import av
import numpy as np

from tests.media_factory import color_of_index, index_of_color

__all__ = ["Listener", "TimedSender"]

RATE = 48_000
BURST_S = 0.05
BURST_EVERY_S = 2


class TimedSender:
    """Publishes ``size`` at ``fps`` to ``url`` until :meth:`stop`."""

    def __init__(self, url: str, size: tuple[int, int], fps: int) -> None:
        self.url, self.size, self.fps = url, size, fps
        self.sent_pictures: dict[int, float] = {}  # index (mod 1000) -> last wall time sent
        self.sent_bursts: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        width, height = self.size
        with av.open(self.url, "w", format="flv") as out:
            video = out.add_stream("libx264", rate=self.fps)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            video.options = {"preset": "ultrafast", "tune": "zerolatency",
                             "g": str(self.fps)}
            audio = out.add_stream("aac", rate=RATE)
            audio.layout = "stereo"
            started = time.time()
            self._started = started
            samples_sent = 0
            for frame_no in range(10**9):
                if self._stop.is_set():
                    return
                due = started + frame_no / self.fps
                time.sleep(max(0.0, due - time.time()))
                samples_sent = self._sound(out, audio, samples_sent, frame_no + 1)
                rgb = np.empty((height, width, 3), np.uint8)
                rgb[:] = color_of_index(frame_no % 1000)
                picture = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                picture.pts = frame_no
                picture.time_base = Fraction(1, self.fps)
                for packet in video.encode(picture):
                    out.mux(packet)
                self.sent_pictures[frame_no % 1000] = time.time()

    def _sound(self, out: Any, audio: Any, sent: int, frames_done: int) -> int:
        """Sound up to the end of picture ``frames_done`` (1024-sample AAC frames)."""
        until = frames_done * RATE // self.fps
        period = BURST_EVERY_S * RATE
        while sent + 1024 <= until:
            t = (np.arange(sent, sent + 1024) % period) / RATE
            wave = np.where(t < BURST_S, 0.5 * np.sin(2 * np.pi * 1000 * t), 0.0)
            onset = sent + (-sent) % period
            if onset < sent + 1024:  # a burst starts in this block
                self.sent_bursts.append(self._started + onset / RATE)
            block = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(np.stack([wave, wave]).astype(np.float32)),
                format="fltp", layout="stereo")
            block.sample_rate, block.pts, block.time_base = RATE, sent, Fraction(1, RATE)
            for packet in audio.encode(block):
                out.mux(packet)
            sent += 1024
        return sent

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


class Listener:
    """Plays ``url``; ``seen`` holds (wall time, index) per picture, ``heard`` burst onsets."""

    def __init__(self, url: str, at: tuple[int, int]) -> None:
        self.url, self.at = url, at
        self.seen: list[tuple[float, int | None]] = []
        self.heard: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with av.open(self.url, options={"rtmp_live": "live", "fflags": "nobuffer"},
                             timeout=(5.0, 5.0)) as container:
                    self._play(container)
            except av.FFmpegError:
                time.sleep(0.2)

    def _play(self, container: Any) -> None:
        loud = False
        for packet in container.demux():
            if self._stop.is_set():
                return
            for frame in packet.decode():
                now = time.time()
                if packet.stream.type == "video":
                    y, x = self.at
                    rgb = frame.to_ndarray(format="rgb24")[y, x]
                    self.seen.append((now, index_of_color([float(c) for c in rgb])))
                elif packet.stream.type == "audio":
                    level = float(np.abs(frame.to_ndarray()).max())
                    if level > 0.1 and not loud:
                        self.heard.append(now)
                    loud = level > 0.1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
