"""Prometheus metrics of the render/encode pipeline, registered on an injected registry.

Names carry their units. Per-output series are labelled with the output's *redacted* name
(``rtmp://host/app/****``), so stream keys never reach a scrape.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["OUTPUT_STATES", "PipelineMetrics"]

OUTPUT_STATES = ("idle", "connecting", "live", "reconnecting", "error")

# Frame-stage latencies: from well under a millisecond (reused frames, small canvases) up to
# several frame periods (llvmpipe at 1080p).
_STAGE_BUCKETS = (0.0005, 0.001, 0.002, 0.004, 0.008, 0.012, 0.016, 0.025, 0.033, 0.05, 0.1, 0.25)


class PipelineMetrics:
    """Every pipeline metric, created once per registry (one per process or test)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.render_seconds = Histogram(
            "compositor_frame_render_seconds",
            "Render-thread time per rendered frame: draw, NV12 conversion and readback kick-off.",
            buckets=_STAGE_BUCKETS, registry=registry,
        )
        self.convert_seconds = Histogram(
            "compositor_frame_convert_seconds",
            "Encode-thread time to wrap a read-back NV12 frame for the encoder.",
            buckets=_STAGE_BUCKETS, registry=registry,
        )
        self.encode_seconds = Histogram(
            "compositor_frame_encode_seconds",
            "Encode-thread time to encode one frame and hand its packets to the outputs.",
            buckets=_STAGE_BUCKETS, registry=registry,
        )
        self.frames_rendered = Counter(
            "compositor_frames_rendered_total", "Frames drawn and read back from the GPU.",
            registry=registry,
        )
        self.damage_ratio = Histogram(
            "compositor_frame_damage_ratio",
            "Share of the frame's pixels redrawn per rendered frame (1: a whole frame; damage "
            "tracking redraws only what changed).",
            buckets=(0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0), registry=registry,
        )
        self.frames_reused = Counter(
            "compositor_frames_reused_total",
            "Frames that reused the previous NV12 frame (scene unchanged, nothing animating).",
            registry=registry,
        )
        self.frames_dropped = Counter(
            "compositor_frames_dropped_total",
            "Frames not encoded to keep real time (render behind or encode queue full).",
            registry=registry,
        )
        self.frames_late = Counter(
            "compositor_frames_late_total",
            "Frames started more than half a frame period after their deadline.",
            registry=registry,
        )
        # A gauge per (output, state), 1 for the state the output is in: the Prometheus way,
        # so that `compositor_output_state{state="reconnecting"} == 1` selects what it says.
        self.output_state = Gauge(
            "compositor_output_state",
            "1 for the state each output is in (idle, connecting, live, reconnecting, error), "
            "0 for the others.", ["output", "state"], registry=registry,
        )
        self.output_bytes_sent = Counter(
            "compositor_output_bytes_sent_total", "Packet payload bytes written to each output.",
            ["output"], registry=registry,
        )
        self.output_reconnects = Counter(
            "compositor_output_reconnects_total", "Reconnect attempts of each output.",
            ["output"], registry=registry,
        )
        self.scene_version = Gauge(
            "compositor_scene_version", "Version of the scene on the last encoded frame.",
            registry=registry,
        )
        self.layers = Gauge(
            "compositor_layers", "Layers in the scene on the last encoded frame.",
            registry=registry,
        )
        self.audio_peak_dbfs = Gauge(
            "compositor_audio_peak_dbfs",
            "Program audio peak over the last second per channel (left, right), in dBFS; "
            "-120 is silence.", ["channel"], registry=registry,
        )
        self.previews = Counter(
            "compositor_previews_total",
            "Preview-before-air requests by result: served (rendered between program frames), "
            "failed (the render failed), refused (the queue was full) or expired (no spare "
            "time within the wait).",
            ["result"], registry=registry,
        )
        self.preview_seconds = Histogram(
            "compositor_preview_render_seconds",
            "Render-thread time per preview (drawn only in the time a program frame leaves).",
            buckets=_STAGE_BUCKETS, registry=registry,
        )
        self.layers_skipped = Gauge(
            "compositor_layers_skipped",
            "Layers left out of the last rendered frame (missing or broken asset, bad font).",
            registry=registry,
        )
