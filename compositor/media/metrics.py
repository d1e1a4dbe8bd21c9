"""Prometheus metrics of clip playback, registered on an injected registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["MediaMetrics"]

# Decoding one frame: well under a millisecond for small clips, tens of milliseconds for 4K
# on a busy CPU.
_DECODE_BUCKETS = (0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.033, 0.066, 0.1, 0.25, 1.0)


class MediaMetrics:
    """Every clip metric, created once per registry (one per process or test)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.clips_decoding = Gauge(
            "compositor_clips_decoding", "Clip decoders running (one per playing video layer).",
            registry=registry,
        )
        self.decode_seconds = Histogram(
            "compositor_clip_decode_seconds",
            "Decoder-thread time to decode (and reformat) one clip frame.",
            buckets=_DECODE_BUCKETS, registry=registry,
        )
        self.late_frames = Counter(
            "compositor_clip_late_frames_total",
            "Frames that showed an older clip picture (or none) because the wanted one was not "
            "decoded in time.", registry=registry,
        )
        self.clips_prepared = Gauge(
            "compositor_clips_prepared",
            "Clips held ready to play (probed, their sound rendered to the PCM cache).",
            registry=registry,
        )
        self.clips_released = Counter(
            "compositor_clips_released_total",
            "Prepared clips released (no scene had named them for the idle time); their PCM "
            "cache files removed.", registry=registry,
        )
        self.errors = Counter(
            "compositor_clip_errors_total",
            "Clips that failed while playing (the layer shows nothing until it is restarted).",
            registry=registry,
        )
