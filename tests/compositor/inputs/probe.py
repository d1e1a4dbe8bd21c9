"""A stand-in render loop for the input tests: asks the hub for pictures and sound at the
channel's frame rate, on the house clock, the way the render thread does, and records how
long each call took and whether the loop kept pace (the output never waits for an input)."""

from __future__ import annotations

import threading
import time
from fractions import Fraction

import numpy as np

from compositor.inputs import InputHub, frame_to_rgb
from compositor.media.frame import VideoFrame
from compositor.scene import Layer, Scene, VideoContent

__all__ = ["RenderProbe", "mean_rgb", "tone_hz"]


def mean_rgb(frame: VideoFrame) -> tuple[float, float, float]:
    rgb = frame_to_rgb(frame).reshape(-1, 3).mean(axis=0)
    return float(rgb[0]), float(rgb[1]), float(rgb[2])


def tone_hz(pcm: np.ndarray, rate: int = 48_000) -> float:
    """The strongest frequency of the left channel."""
    spectrum = np.abs(np.fft.rfft(pcm[:, 0] * np.hanning(len(pcm))))
    return float(np.argmax(spectrum) * rate / len(pcm))


class RenderProbe:
    """Calls ``hub.video_frame`` and ``hub.mix`` for ``input_id`` at ``fps`` on a thread."""

    def __init__(self, hub: InputHub, input_id: str, fps: int = 25) -> None:
        self.hub = hub
        self.fps = Fraction(fps)
        self.content = VideoContent(input=input_id)
        self.scene = Scene(fps=self.fps, layers=(Layer(id="cam", kind="video",
                                                       content=self.content),))
        self.slowest_s = 0.0
        self.ticks = 0
        # Frame slots the loop did not get to: its thread was not scheduled in time (a loaded
        # machine) or a call blocked (then slowest_s shows it); tests allow a loaded machine.
        self.missed = 0
        self.frame: VideoFrame | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last: int | None = None
        while not self._stop.is_set():
            frame = int(Fraction(time.time()) * self.fps)
            if last is not None and frame > last + 1:
                self.missed += frame - last - 1
            if frame != last:
                started = time.perf_counter()
                self.frame = self.hub.video_frame("cam", self.content, self.fps, frame)
                self.hub.mix(self.scene, self.fps, frame)
                self.slowest_s = max(self.slowest_s, time.perf_counter() - started)
                self.ticks += 1
                last = frame
            next_at = float(Fraction(frame + 1) / self.fps)
            self._stop.wait(max(0.0, next_at - time.time()))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
