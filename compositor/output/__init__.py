"""Outputs: RTMP/RTMPS, files and the preview, all fed from the one encode.

:func:`open_output` turns a target (``rtmp://...``, ``rtmps://...`` or a file path) into an
:class:`Output`; nothing is opened until :meth:`Output.start`. Each output muxes the one video
encode plus the program audio it is offered as :class:`AudioChunk` s (AAC, 48 kHz stereo).
"""

from __future__ import annotations

from compositor.metrics import PipelineMetrics
from compositor.output.audio import AUDIO_RATE, AudioChunk
from compositor.output.base import Backoff, Output, OutputState, Sink, VideoParams
from compositor.output.file import FILE_FORMATS, file_format, file_output
from compositor.output.preview import Preview, nv12_to_rgb
from compositor.output.rtmp import is_rtmp_url, redact_url, rtmp_output

__all__ = [
    "AUDIO_RATE",
    "FILE_FORMATS",
    "AudioChunk",
    "Backoff",
    "Output",
    "OutputState",
    "Preview",
    "Sink",
    "VideoParams",
    "file_format",
    "file_output",
    "is_rtmp_url",
    "nv12_to_rgb",
    "open_output",
    "redact_url",
    "rtmp_output",
]


def open_output(
    target: str,
    video: VideoParams,
    metrics: PipelineMetrics,
    *,
    audio: bool = True,
    lossless: bool = False,
    backoff: Backoff | None = None,
) -> Output:
    """An output for ``target``: RTMP(S) when it is such a URL, else a file by its extension.

    Raises :class:`~compositor.errors.OutputError` for an unsupported file type.
    """
    if is_rtmp_url(target):
        return rtmp_output(target, video, metrics, audio=audio, backoff=backoff, lossless=lossless)
    return file_output(target, video, metrics, audio=audio, lossless=lossless)
