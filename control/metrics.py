"""Prometheus metrics of the control plane, registered on an injected registry.

The pipeline registers its own (frame render/convert/encode seconds, frames rendered/reused/
dropped/late, output state, bytes and reconnects) on the same registry through
``compositor.metrics.PipelineMetrics``; ``GET /metrics`` serves them all. Names carry the
``compositor_`` prefix and their units.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["ControlMetrics"]

# Commit latency on a local store is well under a millisecond; Redis adds a round trip or two.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Commit to air is one or two frame intervals plus encode time: 16 ms to a few hundred ms.
_AIR_BUCKETS = (0.01, 0.02, 0.033, 0.05, 0.067, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0)


class ControlMetrics:
    """The control plane's metrics. Construct once per registry (names must be unique there)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.commits = Counter(
            "compositor_commits_total", "Commits tried, by source (http, ws) and result "
            "(ok, conflict, invalid, error)", ("source", "result"), registry=registry)
        self.commit_seconds = Histogram(
            "compositor_commit_seconds", "Time to validate and store one commit, in seconds",
            ("source",), buckets=_LATENCY_BUCKETS, registry=registry)
        self.commit_to_air_seconds = Histogram(
            "compositor_commit_to_air_seconds", "From a commit accepted by the store to the "
            "first encoded frame that shows it, in seconds", buckets=_AIR_BUCKETS,
            registry=registry)
        self.ws_clients = Gauge(
            "compositor_ws_clients", "WebSocket clients connected now", registry=registry)
        self.ws_messages = Counter(
            "compositor_ws_messages_total", "WebSocket messages, by direction (in, out)",
            ("direction",), registry=registry)
        self.ws_slow_disconnects = Counter(
            "compositor_ws_slow_disconnects_total", "WebSocket clients closed with 1013 "
            "because their queue was full", registry=registry)
        self.store_seconds = Histogram(
            "compositor_store_operation_seconds", "Store operation latency, by operation, "
            "in seconds", ("operation",), buckets=_LATENCY_BUCKETS, registry=registry)
        self.store_errors = Counter(
            "compositor_store_errors_total", "Store operations that failed with the store "
            "unavailable, by operation", ("operation",), registry=registry)
        self.ws_refused = Counter(
            "compositor_ws_refused_total", "WebSocket connections refused because the most "
            "clients allowed (--max-ws-clients) were connected", registry=registry)
        self.background_errors = Counter(
            "compositor_background_errors_total", "Errors in the control plane's background "
            "tasks (a failed task is restarted; a failed item is skipped), by task", ("task",),
            registry=registry)
        self.store_rollbacks = Counter(
            "compositor_store_rollbacks_total", "Times the store was found holding an older "
            "version than this process had seen (Redis restarted from older data or failed "
            "over to a lagging replica); commits were lost and everything re-synced",
            ("backend",), registry=registry)
        self.store_connected = Gauge(
            "compositor_store_connected", "1 while the store (Redis) answers, 0 after a "
            "failed operation", ("backend",), registry=registry)
        # The pipeline's compositor_scene_version / compositor_layers are what is on air; these
        # are the latest committed scene as this process's control plane has seen it.
        self.layers = Gauge(
            "compositor_scene_committed_layers", "Layers in the latest committed scene",
            registry=registry)
        self.scene_version = Gauge(
            "compositor_scene_committed_version", "Version of the latest committed scene "
            "(commits so far)", registry=registry)
