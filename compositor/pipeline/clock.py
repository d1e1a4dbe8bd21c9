"""The frame clock: absolute frame numbers, integer pts and pacing by absolute deadlines.

House clock: frame ``F`` of a channel at rate ``fps`` is the instant ``F / fps`` seconds after the
Unix epoch, so "now" is frame ``floor(unix_time * fps)``. The encoder's pts of frame ``F`` is
``F - start_frame`` in the time base ``1 / fps`` (a :class:`~fractions.Fraction`): integer pts,
exact for fractional rates such as 30000/1001.

Pacing waits for the *absolute* deadline of each frame on the injected time source, so sleeping
too long once never accumulates into drift. When the caller falls a whole frame behind, the
clock skips to the current frame and counts the skipped ones as dropped; a frame that starts
later than ``late_tolerance`` of a period after its deadline is counted as late.

Time is injectable: ``time_source()`` returns Unix seconds (float), ``sleep(seconds)`` waits.
Tests pass a fake pair so no test depends on the machine's speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["FrameClock", "Tick", "frame_at", "frame_time"]


def frame_at(unix_s: float, fps: Fraction) -> int:
    """The absolute frame showing at ``unix_s``: ``floor(unix_s * fps)``, computed exactly."""
    return math.floor(Fraction(unix_s) * fps)


def frame_time(frame: int, fps: Fraction) -> float:
    """The Unix time (seconds) at which absolute ``frame`` starts: ``frame / fps``."""
    return float(Fraction(frame) / fps)


@dataclass(frozen=True, slots=True)
class Tick:
    """One frame to produce: absolute ``frame``, its ``pts`` (in ``1/fps``) and lateness.

    ``lag_s`` is how far after the frame's deadline the tick was handed out (0 when paced on
    time or unpaced); ``skipped`` is how many frames were dropped right before this one.
    """

    frame: int
    pts: int
    lag_s: float
    late: bool
    skipped: int


class FrameClock:
    """Hands out consecutive absolute frames, paced (live) or as fast as asked (offline).

    ``start_frame`` None means "the current frame" (live). Not thread-safe: one thread ticks it;
    the counters may be read from anywhere (plain ints).
    """

    def __init__(
        self,
        fps: Fraction,
        *,
        start_frame: int | None = None,
        paced: bool = True,
        time_source: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        late_tolerance: float = 0.5,
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.fps = Fraction(fps)
        self.time_base = 1 / self.fps
        self.paced = paced
        self._now = time_source
        self._sleep = sleep
        self._late_tolerance_s = late_tolerance / float(self.fps)
        self.start_frame = frame_at(self._now(), self.fps) if start_frame is None else start_frame
        self._next = self.start_frame
        self.frames = 0  # ticks handed out
        self.dropped = 0  # frames skipped because the caller fell a whole frame behind
        self.late = 0  # frames handed out later than the tolerance after their deadline

    @property
    def next_frame(self) -> int:
        return self._next

    def pts(self, frame: int) -> int:
        """The pts of absolute ``frame``: ``frame - start_frame`` in ``time_base``."""
        return frame - self.start_frame

    def deadline(self, frame: int) -> float:
        """Unix seconds at which ``frame`` is due."""
        return frame_time(frame, self.fps)

    def tick(self) -> Tick:
        """The next frame to produce; when paced, waits until its deadline first."""
        frame = self._next
        lag_s = 0.0
        skipped = 0
        if self.paced:
            now = self._wait_until(self.deadline(frame))
            current = frame_at(now, self.fps)
            if current > frame:
                # A whole frame behind: keep real time, drop what can no longer be on time.
                skipped = current - frame
                self.dropped += skipped
                frame = current
            lag_s = max(0.0, now - self.deadline(frame))
        late = lag_s > self._late_tolerance_s
        if late:
            self.late += 1
        self._next = frame + 1
        self.frames += 1
        return Tick(frame=frame, pts=self.pts(frame), lag_s=lag_s, late=late, skipped=skipped)

    def _wait_until(self, deadline: float) -> float:
        now = self._now()
        # Sleep in a loop: a sleep may return early (signals) and the time source may be coarse.
        while now < deadline:
            self._sleep(deadline - now)
            now = self._now()
        return now
