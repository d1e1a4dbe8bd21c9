"""The video side of an input's jitter buffer: decoded pictures waiting for their due time.

The reader thread :meth:`~FrameQueue.push` es each picture with its due time (house clock, Unix
seconds, from :class:`~compositor.inputs.placement.Placement`); the render thread asks
:meth:`~FrameQueue.pick` for the picture to show at the time of an output frame. The rule is the
clips' nearest-frame rule: the newest picture whose due time is at most half an input frame
period after the output frame's time (so at equal rates each input frame is shown once, a faster
input skips frames, a slower one repeats them). Older pictures are dropped, also when nobody
asks (:data:`STALE_S`). Before any picture is due the previous choice stays. Bounded: at most
``max_frames`` wait (the oldest go first).
Thread-safe, and never blocks beyond a short lock.
"""

from __future__ import annotations

import threading
from collections import deque

from compositor.media.frame import VideoFrame

__all__ = ["STALE_S", "FrameQueue"]

STALE_S = 0.25
"""Seconds after its successor was due that a picture nobody picked is dropped."""


class FrameQueue:
    """Pictures by due time, in push order (due times non-decreasing within a connection)."""

    def __init__(self, max_frames: int = 120) -> None:
        self._lock = threading.Lock()
        self._waiting: deque[tuple[float, VideoFrame]] = deque(maxlen=max_frames)
        self._shown: VideoFrame | None = None
        self._newest: VideoFrame | None = None
        self.half_period_s = 1 / 60  # half the input's frame period; the reader updates it

    def push(self, due_s: float, frame: VideoFrame, now_s: float) -> None:
        """Queue ``frame`` for ``due_s``; pictures that a later one has superseded by more than
        :data:`STALE_S` before ``now_s`` (house clock) go: nobody will ask for them (an input
        no layer shows keeps only what is due next, not ``max_frames`` pictures)."""
        with self._lock:
            waiting = self._waiting
            if waiting and due_s < waiting[-1][0]:
                waiting.clear()  # the timeline restarted (a discontinuity): newest wins
            waiting.append((due_s, frame))
            while len(waiting) >= 2 and waiting[1][0] <= now_s - STALE_S:
                self._shown = waiting.popleft()[1]
            self._newest = frame

    def pick(self, at_s: float) -> VideoFrame | None:
        """The picture showing at house time ``at_s`` (None: none was ever due)."""
        with self._lock:
            limit = at_s + self.half_period_s
            while self._waiting and self._waiting[0][0] <= limit:
                self._shown = self._waiting.popleft()[1]
            return self._shown

    def __len__(self) -> int:
        """How many pictures wait for their due time."""
        with self._lock:
            return len(self._waiting)

    @property
    def last(self) -> VideoFrame | None:
        """The newest picture decoded (what ``freeze`` shows once the input is lost)."""
        with self._lock:
            return self._newest if self._newest is not None else self._shown

    def clear(self) -> None:
        """Drop what waits (the input was lost); the last picture is kept for ``freeze``."""
        with self._lock:
            self._waiting.clear()
