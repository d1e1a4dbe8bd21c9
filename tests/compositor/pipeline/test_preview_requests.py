"""PreviewRequests: bounded, served only in the time a frame leaves, expired when starved."""

from __future__ import annotations

import time

import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.errors import PreviewBusyError, RenderError
from compositor.metrics import PipelineMetrics
from compositor.pipeline.preview_requests import RGBA, PreviewRequests
from compositor.scene import Scene


def _render(scene: Scene, frame: int) -> RGBA:
    return np.full((2, 2, 4), frame % 256, dtype=np.uint8)


def test_requests_are_bounded_and_served_only_with_time_left() -> None:
    now = [0.0]
    previews = PreviewRequests(max_waiting=2, initial_cost_s=0.005, margin_s=0.001,
                               clock=lambda: now[0])
    first = previews.submit(Scene(), 7)
    second = previews.submit(Scene(), 9)
    with pytest.raises(PreviewBusyError):
        previews.submit(Scene(), 11)
    assert previews.refused == 1
    assert previews.serve(_render, lambda: 0.0055) == 0  # less than cost + margin: not now
    assert not first.done()
    assert previews.serve(_render, lambda: 1.0) == 2
    assert int(first.result()[0, 0, 0]) == 7 and int(second.result()[0, 0, 0]) == 9
    assert previews.served == 2 and previews.waiting == 0


def test_a_slow_preview_raises_the_estimate_at_once() -> None:
    previews = PreviewRequests(initial_cost_s=0.001)

    def slow(scene: Scene, frame: int) -> RGBA:
        time.sleep(0.02)
        return _render(scene, frame)

    previews.submit(Scene(), 1)
    previews.serve(slow, lambda: 1.0)
    assert previews.cost_s >= 0.02
    previews.submit(Scene(), 2)
    assert previews.serve(_render, lambda: 0.015) == 0  # the next frame would be late


def test_starved_requests_expire_and_errors_reach_the_caller() -> None:
    now = [0.0]
    registry = CollectorRegistry()
    previews = PreviewRequests(max_wait_s=2.0, max_waiting=1, clock=lambda: now[0],
                               metrics=PipelineMetrics(registry))
    starved = previews.submit(Scene(), 1)
    now[0] = 2.5
    assert previews.serve(_render, lambda: 0.0) == 0
    with pytest.raises(PreviewBusyError):
        starved.result(0)
    assert previews.expired == 1

    def broken(scene: Scene, frame: int) -> RGBA:
        raise RenderError("lost the GPU")

    failing = previews.submit(Scene(), 2)
    previews.serve(broken, lambda: 1.0)
    with pytest.raises(RenderError):
        failing.result(0)
    previews.submit(Scene(), 3)
    previews.serve(_render, lambda: 1.0)
    waiting = previews.submit(Scene(), 3)
    with pytest.raises(PreviewBusyError):
        previews.submit(Scene(), 5)  # one already waits
    previews.close()
    with pytest.raises(PreviewBusyError):
        waiting.result(0)
    with pytest.raises(PreviewBusyError):
        previews.submit(Scene(), 4)
    counts = {result: registry.get_sample_value("compositor_previews_total",
                                                {"result": result})
              for result in ("served", "failed", "refused", "expired")}
    assert counts == {"served": 1, "failed": 1, "refused": 2, "expired": 1}
    assert registry.get_sample_value("compositor_preview_render_seconds_count") == 2
