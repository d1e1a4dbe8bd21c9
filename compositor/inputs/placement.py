"""Where a live frame goes on the house clock: the jitter buffer's arithmetic (pure, no I/O).

The house clock is Unix time: absolute frame ``F`` of a channel at ``fps`` starts at ``F / fps``
seconds, and program sample ``n`` (48 kHz) at ``n / 48000`` seconds. A live stream's frames carry
their own timestamps (``pts_s``, seconds on the sender's clock) and arrive over a network that
delays each one differently. :class:`Placement` maps them onto the house clock:

    due_s = pts_s + offset_s + latency_s,    offset_s = min(arrival_s - pts_s) over window_s

The least-delayed recent frame defines the offset, so a frame delayed by network jitter of up to
``latency_s`` still arrives before its due time and plays at the sender's pace; a longer delay
makes it late (counted). Video and audio of one stream share the offset, so they stay in sync
exactly as the sender timed them. The window slides (``window_s``), so drift between the two
clocks and a lasting change of network delay are followed within ``window_s``.

A discontinuity (the timestamps jump backwards or forwards, a reconnect, a stall longer than
``jump_s``) shows as ``arrival_s - pts_s`` leaving the current offset by more than ``jump_s``:
the window restarts from that frame and the jump is counted.
"""

from __future__ import annotations

from collections import deque

__all__ = ["Placement"]


class Placement:
    """One stream's clock mapping. Not thread-safe: its reader thread owns it."""

    def __init__(self, latency_s: float, *, window_s: float = 2.0, jump_s: float = 1.0) -> None:
        self.latency_s = latency_s
        self.window_s = window_s
        self.jump_s = jump_s
        self.discontinuities = 0
        # (arrival_s, arrival_s - pts_s), arrival order; a monotonic deque of the minimum
        self._window: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        """Forget the mapping (a new connection: its timestamps start anywhere)."""
        self._window.clear()

    @property
    def offset_s(self) -> float | None:
        return self._window[0][1] if self._window else None

    def place(self, pts_s: float | None, arrival_s: float) -> float:
        """The house-clock time (Unix seconds) at which a frame stamped ``pts_s`` that arrived
        at ``arrival_s`` is due. A frame without a timestamp is due ``latency_s`` after it
        arrived."""
        if pts_s is None:
            return arrival_s + self.latency_s
        delta = arrival_s - pts_s
        current = self.offset_s
        if current is not None and abs(delta - current) > self.jump_s:
            self.discontinuities += 1
            self._window.clear()
        while self._window and self._window[-1][1] >= delta:
            self._window.pop()  # a later, smaller delta makes older larger ones irrelevant
        self._window.append((arrival_s, delta))
        while len(self._window) > 1 and self._window[0][0] < arrival_s - self.window_s:
            self._window.popleft()
        return pts_s + self._window[0][1] + self.latency_s
