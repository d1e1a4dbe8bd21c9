"""An input's reader: its own thread pulls the URL, forever, until the input is deleted.

Each connection is a session (:mod:`compositor.inputs.session`) feeding the input's jitter
buffer (a :class:`~compositor.inputs.frame_queue.FrameQueue` of pictures and an
:class:`~compositor.inputs.audio_ring.AudioRing` of sound). When a session ends (refused,
garbage, timed out, the sender gone) the reader waits (capped exponential backoff:
``backoff_s`` doubling up to ``backoff_max_s``; back to the start after a session that
delivered) and connects again. The state machine is described in
:mod:`compositor.inputs.status`; ``live -> lost`` is decided by time (``loss.hold_ms`` without
a frame), by :meth:`InputReader.check`, which the hub calls every few milliseconds from its
monitor thread, so a reader blocked in a read is still declared lost on time.

The render thread's calls (:meth:`picture`, :meth:`sound`) take a short lock and never wait for
the network. :meth:`stop` returns at once; the thread ends within the read timeout.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from compositor.inputs.audio_ring import AudioRing
from compositor.inputs.connect import Connection, Timeouts, open_stream
from compositor.inputs.errors import InputStreamError
from compositor.inputs.frame_queue import FrameQueue
from compositor.inputs.placement import Placement
from compositor.inputs.session import SessionSink, StreamFacts, run_session
from compositor.inputs.spec import InputSpec, redact_input_url
from compositor.inputs.status import InputState, InputStatus
from compositor.media.frame import VideoFrame

__all__ = ["InputReader", "ReaderTiming"]

log = logging.getLogger(__name__)
_NO_FACTS = StreamFacts(None, None, None, None, None, False)


@dataclass(frozen=True, slots=True)
class ReaderTiming:
    """Timeouts and retry pacing of every reader (seconds)."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    backoff_s: float = 0.25
    backoff_max_s: float = 2.0


class InputReader:
    """Pulls one input. ``on_change`` gets the new status on every state change (called from
    the reader or monitor thread: keep it short, never block)."""

    def __init__(self, spec: InputSpec, *, timing: ReaderTiming,
                 on_change: Callable[[InputStatus], None] | None = None,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self.timing = timing
        self._on_change = on_change
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._state: InputState = "connecting"
        self._facts = _NO_FACTS
        self._frames = self._late = self._reconnects = 0
        self._last_error: str | None = None
        self._last_frame: float | None = None  # monotonic seconds
        self._connection: Connection | None = None
        self._session_start = 0.0
        self._black: VideoFrame | None = None
        latency_s = spec.latency_ms / 1000
        # What may wait for its due time: the latency's worth of pictures at up to 60 fps (more
        # only with broken timestamps: then the oldest go), and of sound, plus room for jitter.
        self.queue = FrameQueue(max_frames=max(8, math.ceil((latency_s + 0.5) * 60)))
        self.ring = AudioRing(seconds=latency_s + 2.0)
        self.placement = Placement(latency_s)
        self._sink = SessionSink(f"input:{spec.id}", self.queue, self.ring, self.placement,
                                 self._frame_arrived, clock)
        self._thread = threading.Thread(target=self._run, name=f"input-{spec.id}", daemon=True)

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end (non-blocking); :meth:`join` waits for it."""
        self._stop.set()
        connection = self._connection
        if connection is not None:
            connection.abort()

    def join(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the thread; True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def hold_s(self) -> float:
        return self.spec.loss.hold_ms / 1000

    # --- the reader thread ---------------------------------------------------------------

    def _run(self) -> None:
        delay = self.timing.backoff_s
        first = True
        while not self._stop.is_set():
            if not first:
                with self._lock:
                    self._reconnects += 1
            first = False
            frames_before = self._frames
            try:
                self._session()
            except InputStreamError as exc:
                self._failed(str(exc))
            except Exception as exc:  # a bug must not end the reader: report and retry
                log.exception("input %s: unexpected error", self.spec.id)
                self._failed(f"{type(exc).__name__}: {exc}")
            if self._frames > frames_before:
                delay = self.timing.backoff_s
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, self.timing.backoff_max_s)

    def _session(self) -> None:
        timeouts = self.timing.timeouts
        connection = open_stream(self.spec.url, timeouts)
        self._connection = connection
        self._session_start = self._monotonic()
        try:
            if self._stop.is_set():
                return
            run_session(connection.container, self._sink, self._stop,
                        idle_s=timeouts.open_s + timeouts.read_s, monotonic=self._monotonic)
        except InputStreamError as exc:
            reason = connection.child_error()
            raise InputStreamError(reason or str(exc)) from exc
        finally:
            self._connection = None
            connection.close()

    def _failed(self, reason: str) -> None:
        reason = reason.replace(self.spec.url, redact_input_url(self.spec.url))
        if self._stop.is_set():
            return
        with self._lock:
            self._last_error = reason
            was_live = self._state in ("live", "lost")
            self.queue.clear()
        log.info("input %s (%s): %s", self.spec.id, redact_input_url(self.spec.url), reason)
        self._set_state("lost" if was_live else "error")

    def _frame_arrived(self, late: bool, facts: StreamFacts) -> None:
        with self._lock:
            self._frames += 1
            self._late += int(late)
            self._facts = facts
            self._last_frame = self._monotonic()
            live = self._state == "live"
        if not live:
            self._set_state("live")

    def _set_state(self, state: InputState) -> None:
        with self._lock:
            if self._state == state:
                return
            self._state = state
        if self._on_change is not None:
            self._on_change(self.status())

    # --- any thread ----------------------------------------------------------------------

    def check(self) -> None:
        """Declare the input lost when live and silent for ``hold_ms`` (monitor thread)."""
        with self._lock:
            overdue = (self._state == "live" and self._last_frame is not None
                       and self._monotonic() - self._last_frame > self.hold_s)
        if overdue:
            self.queue.clear()
            self._set_state("lost")
        self._watchdog()

    def _watchdog(self) -> None:
        """End a connection that delivers nothing for longer than the read timeout (a read
        PyAV cannot interrupt: the SRT adapter's pipe)."""
        connection = self._connection
        if connection is None:
            return
        with self._lock:
            since = max(self._last_frame or 0.0, self._session_start)
        limit = self.timing.timeouts.open_s + self.timing.timeouts.read_s + 1.0
        if self._monotonic() - since > limit:
            connection.abort()

    def is_lost(self) -> bool:
        """True when the layers should show the fallback (not live, or silent for hold_ms)."""
        with self._lock:
            if self._state != "live" or self._last_frame is None:
                return True
            return self._monotonic() - self._last_frame > self.hold_s

    def picture(self, at_s: float) -> VideoFrame | None:
        """RENDER THREAD: the picture for house time ``at_s`` (Unix seconds), or the fallback
        (``freeze``: the last picture; ``black``; ``transparent``: None)."""
        if not self.is_lost():
            return self.queue.pick(at_s)
        then = self.spec.loss.then
        if then == "freeze":
            return self.queue.last
        if then == "black":
            return self._black_frame()
        return None

    def _black_frame(self) -> VideoFrame:
        facts = self._facts
        width, height = facts.width or 64, facts.height or 36
        black = self._black
        if black is None or (black.width, black.height) != (width, height):
            cw, ch = (width + 1) // 2, (height + 1) // 2
            black = VideoFrame(key=(f"input:{self.spec.id}:black", width * 100_000 + height),
                               width=width, height=height,
                               y=np.full((height, width), 16, np.uint8),
                               u=np.full((ch, cw), 128, np.uint8),
                               v=np.full((ch, cw), 128, np.uint8),
                               matrix="bt709", full_range=False)
            self._black = black
        return black

    def sound(self, start: int, count: int) -> npt.NDArray[np.float32] | None:
        """RENDER THREAD: program samples ``start..start+count`` of this input; None (silence)
        while it is lost."""
        if self.is_lost():
            return None
        return self.ring.read(start, count)

    def status(self) -> InputStatus:
        with self._lock:
            facts = self._facts
            age = None
            if self._last_frame is not None:
                age = int((self._monotonic() - self._last_frame) * 1000)
            return InputStatus(
                id=self.spec.id, url=redact_input_url(self.spec.url), state=self._state,
                width=facts.width, height=facts.height, fps=facts.fps,
                video_codec=facts.video_codec, audio_codec=facts.audio_codec,
                has_audio=facts.has_audio, media_age_ms=age, frames=self._frames,
                late=self._late, reconnects=self._reconnects,
                discontinuities=self.placement.discontinuities, last_error=self._last_error,
                latency_ms=self.spec.latency_ms,
                loss={"hold_ms": self.spec.loss.hold_ms, "then": self.spec.loss.then})
