"""Live inputs: cameras and remote feeds (RTMP, SRT, UDP/RTP MPEG-TS, RTSP, HLS) as layers.

Each input is pulled by its own reader thread (:class:`InputReader`) into a jitter buffer that
places its pictures and sound on the house clock; the :class:`InputHub` holds every input of a
process and answers the render thread (pictures, program audio) without ever waiting for the
network; :class:`MediaRouter` puts clips and inputs behind one media source. An input that fails
shows its fallback and reconnects forever until deleted. See ``docs/inputs.md``.
"""

from __future__ import annotations

from compositor.inputs.composite import MediaRouter, MediaSource
from compositor.inputs.connect import Timeouts, srt_available
from compositor.inputs.errors import InputError, InputSpecError, InputStreamError
from compositor.inputs.hub import InputHub, StateListener
from compositor.inputs.metrics import InputMetrics
from compositor.inputs.reader import InputReader, ReaderTiming
from compositor.inputs.spec import (
    FALLBACKS,
    INPUT_SCHEMES,
    Fallback,
    InputSpec,
    LossPolicy,
    input_spec_from_json,
    input_spec_to_json,
    redact_input_url,
)
from compositor.inputs.status import INPUT_STATES, InputState, InputStatus
from compositor.inputs.thumbnail import frame_to_rgb, thumbnail_jpeg

__all__ = [
    "FALLBACKS",
    "INPUT_SCHEMES",
    "INPUT_STATES",
    "Fallback",
    "InputError",
    "InputHub",
    "InputMetrics",
    "InputReader",
    "InputSpec",
    "InputSpecError",
    "InputState",
    "InputStatus",
    "InputStreamError",
    "LossPolicy",
    "MediaRouter",
    "MediaSource",
    "ReaderTiming",
    "StateListener",
    "Timeouts",
    "frame_to_rgb",
    "input_spec_from_json",
    "input_spec_to_json",
    "redact_input_url",
    "srt_available",
    "thumbnail_jpeg",
]
