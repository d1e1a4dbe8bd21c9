"""Prometheus metrics of the live inputs, read from their status at scrape time.

Registered on an injected registry (one per process or test). Every series is labelled with the
input's id (never its URL: stream keys stay out of scrapes):

- ``compositor_input_media_age_seconds{input}``: time since the input's last picture or sound
  (absent before the first one);
- ``compositor_input_frames_total{input}``, ``compositor_input_late_frames_total{input}``,
  ``compositor_input_reconnects_total{input}``, ``compositor_input_discontinuities_total{input}``;
- ``compositor_input_state{input, state}``: 1 for the state the input is in, 0 for the others.

A collector (rather than gauges set from the readers) keeps the figures exactly those of
``GET /api/v1/inputs`` and drops an input's series when it is deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from compositor.inputs.status import INPUT_STATES, InputStatus

__all__ = ["InputMetrics"]


class InputMetrics(Collector):
    """Collects the statuses ``statuses()`` returns; register with :meth:`register`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry
        self._statuses: Callable[[], Iterable[InputStatus]] = list

    def register(self, statuses: Callable[[], Iterable[InputStatus]]) -> None:
        """Start collecting from ``statuses`` (the hub's)."""
        self._statuses = statuses
        self._registry.register(self)

    def unregister(self) -> None:
        self._registry.unregister(self)

    def describe(self) -> list[Metric]:
        return []  # names are only known at collection; an empty description is allowed

    def collect(self) -> Iterator[Metric]:
        age = GaugeMetricFamily("compositor_input_media_age_seconds",
                                "Seconds since the input's last picture or sound arrived.",
                                labels=["input"])
        frames = CounterMetricFamily("compositor_input_frames",
                                     "Pictures decoded from the input.", labels=["input"])
        late = CounterMetricFamily("compositor_input_late_frames",
                                   "Pictures that arrived after their due time (jitter over "
                                   "the input's latency).", labels=["input"])
        reconnects = CounterMetricFamily("compositor_input_reconnects",
                                         "Connection attempts after the first.",
                                         labels=["input"])
        jumps = CounterMetricFamily("compositor_input_discontinuities",
                                    "Timestamp jumps the input's timeline was re-anchored for.",
                                    labels=["input"])
        state = GaugeMetricFamily("compositor_input_state",
                                  "1 for the state each input is in (connecting, live, lost, "
                                  "error), 0 for the others.", labels=["input", "state"])
        for status in self._statuses():
            if status.media_age_ms is not None:
                age.add_metric([status.id], status.media_age_ms / 1000)
            frames.add_metric([status.id], status.frames)
            late.add_metric([status.id], status.late)
            reconnects.add_metric([status.id], status.reconnects)
            jumps.add_metric([status.id], status.discontinuities)
            for name in INPUT_STATES:
                state.add_metric([status.id, name], 1.0 if status.state == name else 0.0)
        yield from (age, frames, late, reconnects, jumps, state)
