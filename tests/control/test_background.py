"""Supervised background tasks: a task that fails is logged, counted, reported and restarted;
stopping is bounded even for a task that ignores cancellation."""

from __future__ import annotations

import asyncio
import time

import pytest
from prometheus_client import CollectorRegistry

from control.background import BackgroundTasks
from control.metrics import ControlMetrics


def test_a_failing_task_is_restarted_and_reported_meanwhile(caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    async def scenario() -> None:
        metrics = ControlMetrics(CollectorRegistry())
        tasks = BackgroundTasks(metrics, retry_s=0.05, healthy_after_s=0.3)
        runs: list[float] = []

        async def flaky() -> None:
            runs.append(time.monotonic())
            if len(runs) == 1:
                raise ValueError("one bad item")
            await asyncio.sleep(60)

        tasks.start("worker", flaky)
        await asyncio.sleep(0.15)
        assert len(runs) == 2  # restarted
        assert "one bad item" in tasks.problems()["worker"]  # reported for a while
        assert metrics.background_errors.labels("worker")._value.get() == 1
        await asyncio.sleep(0.3)
        assert tasks.problems() == {}  # healthy again
        await tasks.stop()

    asyncio.run(scenario())
    assert "background task worker failed" in caplog.text


def test_stop_is_bounded_even_for_a_task_that_ignores_cancellation() -> None:
    async def scenario() -> float:
        tasks = BackgroundTasks(ControlMetrics(CollectorRegistry()))

        async def stubborn() -> None:
            while True:
                try:
                    await asyncio.sleep(10)
                except asyncio.CancelledError:
                    continue  # a bug: swallows the cancellation

        tasks.start("stubborn", stubborn)
        await asyncio.sleep(0.05)
        started = time.monotonic()
        await tasks.stop(timeout_s=0.3)
        took = time.monotonic() - started
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.get_coro().close()  # let the test's loop end
        return took

    assert asyncio.run(scenario()) < 1.0
