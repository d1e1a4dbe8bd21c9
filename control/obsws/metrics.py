"""Prometheus metrics of the obs-websocket endpoint, on the control plane's registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["ObsMetrics"]


class ObsMetrics:
    """Sessions now, requests by type and status code (types not served count as
    ``unknown``, so a client cannot grow the label set), sessions closed by the protocol."""

    def __init__(self, registry: CollectorRegistry, known: frozenset[str]) -> None:
        self.known = known
        self.sessions = Gauge("compositor_obsws_sessions",
                              "obs-websocket connections open now", registry=registry)
        self.requests = Counter("compositor_obsws_requests_total",
                                "obs-websocket requests by type and requestStatus code",
                                ("request", "code"), registry=registry)
        self.closes = Counter("compositor_obsws_closes_total",
                              "obs-websocket sessions the server closed, by close code",
                              ("code",), registry=registry)

    def request(self, request_type: str, code: int) -> None:
        name = request_type if request_type in self.known else "unknown"
        self.requests.labels(name, str(code)).inc()
