"""Preview before air: scenes rendered on the render thread between program frames.

The control side asks for a picture of a scene that is not on air (a cue, a commit not made)
at an absolute frame; the render thread owns the GL context, so it draws it, but only in the
time a program frame leaves over. :class:`PreviewRequests` is the bounded queue between them:

- :meth:`PreviewRequests.submit` (any thread) queues a request and returns a
  ``concurrent.futures.Future`` of the straight sRGB RGBA image ``(height, width, 4)`` uint8;
  :class:`~compositor.errors.PreviewBusyError` when ``max_waiting`` requests already wait.
- :meth:`PreviewRequests.serve` (the render thread, after each program frame) renders waiting
  requests while the time left before the next frame's deadline exceeds the estimated cost of
  one preview plus ``margin_s``. The estimate starts at ``initial_cost_s`` and follows the
  measured costs, leaning high (a slow preview raises it at once, fast ones lower it slowly),
  so a preview never pushes a program frame past its deadline.
- A request that waited longer than ``max_wait_s`` (the render thread never had time) fails
  with :class:`PreviewBusyError`; so does every waiting one at :meth:`close`.

Counters (plain ints, read from any thread): ``served``, ``refused``, ``expired``; with
``metrics`` also ``compositor_previews_total{result}`` and ``compositor_preview_render_seconds``.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from compositor.errors import CompositorError, PreviewBusyError
from compositor.metrics import PipelineMetrics
from compositor.scene import Scene

__all__ = ["PreviewRequests", "RGBA"]

RGBA = npt.NDArray[np.uint8]


@dataclass(slots=True)
class _Request:
    scene: Scene
    frame: int
    queued: float
    future: Future[RGBA] = field(default_factory=Future)


class PreviewRequests:
    """The bounded queue of preview requests; see the module docstring."""

    def __init__(self, *, max_waiting: int = 4, max_wait_s: float = 2.0,
                 initial_cost_s: float = 0.010, margin_s: float = 0.002,
                 clock: Callable[[], float] = time.monotonic,
                 metrics: PipelineMetrics | None = None) -> None:
        self.max_waiting = max_waiting
        self._metrics = metrics
        self.max_wait_s = max_wait_s
        self.margin_s = margin_s
        self.cost_s = initial_cost_s
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: collections.deque[_Request] = collections.deque()
        self._closed = False
        self.served = 0
        self.refused = 0
        self.expired = 0

    def submit(self, scene: Scene, frame: int) -> Future[RGBA]:
        """Queue a picture of ``scene`` evaluated at absolute ``frame``."""
        request = _Request(scene, frame, self._clock())
        with self._lock:
            if self._closed or len(self._waiting) >= self.max_waiting:
                self.refused += 1
                self._count("refused")
                raise PreviewBusyError(f"{len(self._waiting)} previews are waiting already"
                                       if not self._closed else "the renderer has stopped")
            self._waiting.append(request)
        return request.future

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def serve(self, render: Callable[[Scene, int], RGBA], time_left: Callable[[], float]) -> int:
        """Render waiting requests while ``time_left()`` (seconds to the next program frame's
        deadline) allows; how many were rendered. Render thread only."""
        done = 0
        while self._waiting:
            self._expire()
            if not self._waiting or time_left() < self.cost_s + self.margin_s:
                break
            with self._lock:
                request = self._waiting.popleft()
            if not request.future.set_running_or_notify_cancel():
                continue  # the caller gave up
            started = time.perf_counter()
            result = "served"
            try:
                request.future.set_result(render(request.scene, request.frame))
            except CompositorError as exc:
                request.future.set_exception(exc)
                result = "failed"
            cost = time.perf_counter() - started
            self.cost_s = max(cost, 0.9 * self.cost_s + 0.1 * cost)
            self.served += 1
            self._count(result)
            if self._metrics is not None:
                self._metrics.preview_seconds.observe(cost)
            done += 1
        return done

    def _expire(self) -> None:
        now = self._clock()
        with self._lock:
            while self._waiting and now - self._waiting[0].queued > self.max_wait_s:
                request = self._waiting.popleft()
                self.expired += 1
                self._count("expired")
                if request.future.set_running_or_notify_cancel():
                    request.future.set_exception(PreviewBusyError(
                        f"the render thread had no time for a preview in {self.max_wait_s} s"))

    def _count(self, result: str) -> None:
        if self._metrics is not None:
            self._metrics.previews.labels(result=result).inc()

    def close(self) -> None:
        """Refuse new requests and fail the waiting ones (the render thread is stopping)."""
        with self._lock:
            self._closed = True
            waiting, self._waiting = list(self._waiting), collections.deque()
        for request in waiting:
            if request.future.set_running_or_notify_cancel():
                request.future.set_exception(PreviewBusyError("the renderer has stopped"))
