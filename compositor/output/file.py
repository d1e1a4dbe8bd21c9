"""File outputs: mp4 (finalised with faststart), mkv, mpegts, flv, chosen by extension.

A file that fails (disk full, bad path) ends in ``error``; it is not reopened, since reopening
would truncate what was written. mp4 is written with ``movflags=+faststart``: on stop the muxer
moves the index (moov) before the media data (mdat) so players can start before the download
ends; that happens in :meth:`Output.stop`, so a file is complete only after stop.
"""

from __future__ import annotations

from pathlib import Path

from compositor.errors import OutputError
from compositor.metrics import PipelineMetrics
from compositor.output.base import Output, VideoParams
from compositor.output.container import ContainerSink

__all__ = ["FILE_FORMATS", "file_format", "file_output"]

# extension -> (FFmpeg muxer, muxer options)
FILE_FORMATS: dict[str, tuple[str, dict[str, str]]] = {
    ".mp4": ("mp4", {"movflags": "+faststart"}),
    ".m4v": ("mp4", {"movflags": "+faststart"}),
    ".mov": ("mov", {"movflags": "+faststart"}),
    ".mkv": ("matroska", {}),
    ".ts": ("mpegts", {}),
    ".m2ts": ("mpegts", {}),
    ".flv": ("flv", {}),
}


def file_format(path: str) -> tuple[str, dict[str, str]]:
    """The muxer and its options for ``path``; :class:`OutputError` for other extensions."""
    suffix = Path(path).suffix.lower()
    try:
        return FILE_FORMATS[suffix]
    except KeyError:
        known = ", ".join(sorted(FILE_FORMATS))
        raise OutputError(f"{path}: unsupported file type {suffix!r} (use {known})") from None


def file_output(
    path: str,
    video: VideoParams,
    metrics: PipelineMetrics,
    *,
    audio: bool = True,
    queue_packets: int = 240,
    lossless: bool = False,
) -> Output:
    """An :class:`Output` writing ``path``; the format comes from its extension."""
    fmt, options = file_format(path)

    def open_sink() -> ContainerSink:
        try:  # FFmpeg opens the file only at the first packet; find a bad path now
            with open(path, "wb"):
                pass
        except OSError as exc:
            raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
        return ContainerSink(path, fmt, video, audio=audio, name=path, options=dict(options))

    return Output(path, open_sink, metrics, reconnect=False, queue_packets=queue_packets,
                  lossless=lossless)
