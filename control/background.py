"""The control plane's long-running tasks, supervised: the scheduler, the receipt relay, the
WebSocket hub's feed.

A task that ends with an unexpected error is logged with its traceback, counted
(``compositor_background_errors_total{task}``) and started again after a capped backoff, so one
bad item can never stop it for good. While a task is down, and for ``healthy_after_s`` after it
last failed, :meth:`BackgroundTasks.problems` names it and ``/readyz`` answers 503. Stopping
cancels every task and waits at most ``timeout_s``: a task that ignores cancellation is left
behind (and logged), never waited on forever.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from control.metrics import ControlMetrics

__all__ = ["BackgroundTasks"]

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self, metrics: ControlMetrics, *, retry_s: float = 0.5, max_retry_s: float = 10.0,
                 healthy_after_s: float = 10.0) -> None:
        self.metrics = metrics
        self.retry_s = retry_s
        self.max_retry_s = max_retry_s
        self.healthy_after_s = healthy_after_s
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._failed: dict[str, tuple[str, float]] = {}  # name -> (why, monotonic time)

    def start(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        """Run ``run()`` as ``name`` until :meth:`stop`, restarting it after any error."""
        self._tasks[name] = asyncio.create_task(self._supervise(name, run), name=name)

    def problems(self) -> dict[str, str]:
        """What is wrong right now: tasks that died and have not yet run healthily again."""
        now = time.monotonic()
        # A supervised task ends only when cancelled (stop()) or by a BaseException that the
        # supervisor does not catch (SystemExit...): the latter is a stopped task.
        found = {name: "stopped" for name, task in self._tasks.items()
                 if task.done() and not task.cancelled()}
        for name, (why, at) in self._failed.items():
            if name not in found and now - at < self.healthy_after_s:
                found[name] = f"restarted after an error {now - at:.0f} s ago: {why}"
        return found

    async def stop(self, timeout_s: float = 3.0) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            log.error("background task %s did not stop within %.1f s", task.get_name(),
                      timeout_s)

    async def _supervise(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        delay = self.retry_s
        while True:
            started = time.monotonic()
            try:
                await run()
                why = "it returned"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                why = f"{type(exc).__name__}: {exc}"
                log.error("background task %s failed; restarting in %.1f s", name, delay,
                          exc_info=exc)
            else:
                log.error("background task %s ended; restarting in %.1f s", name, delay)
            self._failed[name] = (why, time.monotonic())
            self.metrics.background_errors.labels(name).inc()
            if time.monotonic() - started > self.healthy_after_s:
                delay = self.retry_s  # it had been running fine: start over with a short wait
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_retry_s)
